/* Checking a write body and collecting its keys; see body.h. The JSON is
 * parsed strictly (json-c, UTF-8 validated), and the text is scanned for
 * what json-c is lenient about and for \u0000 (json-c cuts object keys at
 * a NUL, so it cannot be found in the parsed document). */
#include "core/vec.h"
#include "rest/parse/body.h"

#include "core/json_text.h"

#include <string.h>
#include <strings.h>

static bool fail(rest_error *err, arena *a, const char *details, const char *message)
{
    return rest_error_set(err, a, 400, "PGRST102", details, NULL, "%s", message);
}

typedef enum body_media { BODY_JSON, BODY_CSV, BODY_OTHER } body_media;

/* application/json (or none at all) and text/csv, with any parameters. */
static body_media media_of(const char *ct)
{
    if (!ct)
        return BODY_JSON;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 0 || (n == 16 && strncasecmp(ct, "application/json", 16) == 0))
        return BODY_JSON;
    if (n == 8 && strncasecmp(ct, "text/csv", 8) == 0)
        return BODY_CSV;
    return BODY_OTHER;
}

typedef enum text_check { TEXT_OK, TEXT_NUL, TEXT_INVALID } text_check;

/* What json-c lets through in strict mode and PostgreSQL does not: raw
 * control characters in strings, NaN, Infinity and single quotes outside
 * them; and the \u0000 escape, which PostgreSQL text cannot hold. */
static text_check check_text(const char *s, size_t n)
{
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            in_string = !in_string;
        } else if (in_string && c < 0x20) {
            return TEXT_INVALID;
        } else if (in_string && c == '\\' && i + 1 < n) {
            if (s[i + 1] == 'u' && i + 5 < n && strncmp(s + i + 2, "0000", 4) == 0)
                return TEXT_NUL;
            i++; /* the escaped character */
        } else if (!in_string && (!c || !strchr(" \t\r\n{}[],:0123456789+-.eEtrufalsn", c))) {
            return TEXT_INVALID;
        }
    }
    return TEXT_OK;
}

/* Adds row's keys to the union, counting rows per key. */
static void collect_keys(arena *a, json_object *row, rest_body *b, size_t *cap)
{
    json_object_object_foreach(row, key, value)
    {
        (void)value;
        rest_body_key *k = (rest_body_key *)rest_body_find_key(b, key);
        if (k) {
            k->rows++;
            continue;
        }
        b->keys = vec_grow(a, b->keys, b->key_count, cap, b->key_count + 1, sizeof(*b->keys));
        b->keys[b->key_count++] = (rest_body_key){arena_strdup(a, key), 1};
    }
}

static bool collect_rows(arena *a, json_object *doc, rest_body *b, rest_error *err)
{
    size_t cap = 0;
    if (json_object_is_type(doc, json_type_object)) {
        b->row_count = 1;
        collect_keys(a, doc, b, &cap);
        return true;
    }
    if (!json_object_is_type(doc, json_type_array))
        return fail(err, a, "The body is a JSON scalar.",
                    "The JSON body must be an object or an array of objects");
    b->is_array = true;
    b->row_count = json_object_array_length(doc);
    for (size_t i = 0; i < b->row_count; i++) {
        json_object *row = json_object_array_get_idx(doc, i);
        if (!json_object_is_type(row, json_type_object))
            return fail(err, a, arena_printf(a, "Element %zu of the array is not an object.", i),
                        "All object keys must match");
        collect_keys(a, row, b, &cap);
    }
    return true;
}

static bool all_keys_in_every_row(const rest_body *b)
{
    for (size_t i = 0; i < b->key_count; i++)
        if (b->keys[i].rows != b->row_count)
            return false;
    return true;
}

bool rest_body_parse(arena *a, const char *content_type, const char *data, size_t len,
                     rest_body *out, rest_error *err)
{
    memset(out, 0, sizeof(*out));
    body_media media = media_of(content_type);
    if (media == BODY_OTHER)
        return fail(err, a, "Send the rows as application/json or text/csv.",
                    arena_printf(a, "Content-Type not acceptable: %s", content_type));
    if (media == BODY_CSV) {
        data = rest_csv_to_json(a, data, len, err);
        if (!data)
            return false;
        len = strlen(data);
    }
    json_object *doc = json_arena_owned(a, data ? json_parse_exact(data, len) : NULL);
    text_check text = doc ? check_text(data, len) : TEXT_INVALID;
    if (text == TEXT_INVALID)
        return fail(err, a, NULL, "Empty or invalid json");
    if (text == TEXT_NUL)
        return fail(err, a, "PostgreSQL text cannot hold the NUL character.",
                    "\\u0000 is not allowed in the JSON body");
    if (!collect_rows(a, doc, out, err))
        return false;
    out->uniform = all_keys_in_every_row(out);
    if (out->is_array) {
        out->rows_json = arena_strndup(a, data, len);
    } else {
        char *wrapped = arena_alloc(a, len + 3);
        wrapped[0] = '[';
        memcpy(wrapped + 1, data, len);
        memcpy(wrapped + 1 + len, "]", 2);
        out->rows_json = wrapped;
    }
    return true;
}

const rest_body_key *rest_body_find_key(const rest_body *b, const char *name)
{
    for (size_t i = 0; i < b->key_count; i++)
        if (strcmp(b->keys[i].name, name) == 0)
            return &b->keys[i];
    return NULL;
}
