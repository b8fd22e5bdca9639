/* PostgreSQL types and defaults in OpenAPI terms; see openapi_types.h. */
#include "rest/openapi/openapi_types.h"

#include "core/sbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *rest_openapi_type_name_bare(arena *a, const char *type_name)
{
    sbuf b;
    sbuf_init(&b, a, 32);
    for (const char *p = type_name; *p; p++) {
        if (*p == '(') {
            const char *close = strchr(p, ')');
            if (!close)
                break;
            p = close;
            continue;
        }
        if (*p == ' ' && (b.len == 0 || b.data[b.len - 1] == ' '))
            continue;
        sbuf_putc(&b, *p);
    }
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    return b.data;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *scalar_type(const char *bare, char category)
{
    static const struct {
        const char *name, *type;
    } known[] = {
        {"smallint", "integer"}, {"integer", "integer"}, {"bigint", "integer"},
        {"numeric", "number"},   {"real", "number"},     {"double precision", "number"},
        {"boolean", "boolean"},  {"json", NULL},         {"jsonb", NULL},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(bare, known[i].name) == 0)
            return known[i].type;
    if (category == 'N')
        return "number";
    return category == 'B' ? "boolean" : "string";
}

/* n of "character varying(n)" / "character(n)", else -1. */
static long max_length(const char *type_name)
{
    static const char *const prefixes[] = {"character varying(", "character("};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(type_name, prefixes[i], n) == 0 && !ends_with(type_name, "[]"))
            return strtol(type_name + n, NULL, 10);
    }
    return -1;
}

openapi_type rest_openapi_type_of(arena *a, const char *type_name, char category)
{
    const char *bare = rest_openapi_type_name_bare(a, type_name);
    openapi_type t = {.format = bare, .max_length = -1};
    if (ends_with(bare, "[]")) {
        t.type = "array";
        char *element = arena_strndup(a, bare, strlen(bare) - 2);
        t.items_type = ends_with(element, "[]") ? "array" : scalar_type(element, 0);
        return t;
    }
    t.type = scalar_type(bare, category == 'A' ? 0 : category);
    t.max_length = max_length(type_name);
    return t;
}

/* ---- defaults ------------------------------------------------------------ */

/* The text of a literal 'x'::type (quotes undoubled), or NULL when expr is
 * anything else. */
static char *quoted_literal(const char *expr)
{
    if (expr[0] != '\'')
        return NULL;
    size_t n = strlen(expr);
    char *out = malloc(n + 1), *o = out;
    const char *p = expr + 1;
    for (; *p; p++) {
        if (*p == '\'' && p[1] == '\'')
            *o++ = *p++;
        else if (*p == '\'')
            break;
        else
            *o++ = *p;
    }
    *o = '\0';
    bool cast_only = *p == '\'' && strncmp(p + 1, "::", 2) == 0 &&
                     strspn(p + 3, "abcdefghijklmnopqrstuvwxyz0123456789_ .\"[]") == strlen(p + 3);
    if (!cast_only) {
        free(out);
        return NULL;
    }
    return out;
}

static bool is_number(const char *s, bool integer)
{
    const char *p = s + (*s == '-');
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (!integer && *p == '.' && isdigit((unsigned char)p[1]))
        for (p++; isdigit((unsigned char)*p);)
            p++;
    return *p == '\0';
}

static json_object *literal_value(const char *text, const openapi_type *t)
{
    if (strcmp(t->type, "string") == 0)
        return json_object_new_string(text);
    if (strcmp(t->type, "boolean") == 0)
        return strcmp(text, "true") == 0    ? json_object_new_boolean(1)
               : strcmp(text, "false") == 0 ? json_object_new_boolean(0)
                                            : NULL;
    bool integer = strcmp(t->type, "integer") == 0;
    if ((integer || strcmp(t->type, "number") == 0) && is_number(text, integer))
        return integer ? json_object_new_int64(strtoll(text, NULL, 10))
                       : json_object_new_double_s(strtod(text, NULL), text);
    return NULL;
}

json_object *rest_openapi_default(const char *default_expr, const openapi_type *t)
{
    if (!default_expr || !t->type || strcmp(t->type, "array") == 0)
        return NULL;
    char *quoted = quoted_literal(default_expr);
    if (!quoted && strcmp(t->type, "string") == 0)
        return NULL; /* a string default must be a literal */
    json_object *v = literal_value(quoted ? quoted : default_expr, t);
    free(quoted);
    return v;
}
