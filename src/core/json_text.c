/* json-c helpers; see json_text.h. */
#include "core/json_text.h"
#include "core/utf8.h"

#include <stdbool.h>
#include <string.h>

static void put_json(void *obj)
{
    json_object_put(obj);
}

const char *json_text(arena *a, json_object *obj)
{
    return arena_strdup(a, json_object_to_json_string_ext(obj, JSON_TEXT_FLAGS));
}

static bool only_whitespace(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

json_object *json_parse_exact(const char *s, size_t n)
{
    /* json-c's UTF-8 check lets overlong forms, surrogates and code points
     * beyond U+10FFFF through; JSON text is strict UTF-8 (core/utf8) */
    if (n > (size_t)INT32_MAX || !utf8_valid(s, n))
        return NULL;
    /* one tokener for the process, reset for each text: creating one costs
     * more than parsing a small document (workers are single-threaded) */
    static json_tokener *tok;
    if (!tok && !(tok = json_tokener_new_ex(64)))
        return NULL;
    json_tokener_reset(tok);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *obj = json_tokener_parse_ex(tok, s, (int)n);
    size_t used = json_tokener_get_parse_end(tok);
    if (!obj && json_tokener_get_error(tok) == json_tokener_continue) {
        obj = json_tokener_parse_ex(tok, "", 1); /* end of input ends a bare number */
        used = n;
    }
    bool ok = obj && json_tokener_get_error(tok) == json_tokener_success &&
              only_whitespace(s + used, n - used);
    if (!ok) {
        json_object_put(obj);
        /* json-c 0.16's reset keeps a pending high surrogate of a text that
         * stopped inside "\ud83d\u...": the next text's first \u escape
         * would get a U+FFFD put before it. A tokener that failed is not
         * reused (found by fuzz_phx_frame; test_json_text.c). */
        json_tokener_free(tok);
        tok = NULL;
        return NULL;
    }
    return obj;
}

json_object *json_arena_owned(arena *a, json_object *obj)
{
    if (obj)
        arena_defer(a, put_json, obj);
    return obj;
}

const char *json_plain_string(json_object *obj)
{
    if (!json_object_is_type(obj, json_type_string))
        return NULL;
    const char *text = json_object_get_string(obj);
    return strlen(text) == (size_t)json_object_get_string_len(obj) ? text : NULL;
}
