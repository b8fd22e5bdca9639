/* postgres_changes bindings and filters; see pgchanges_filter.h. */
#include "realtime/pgchanges_filter.h"

#include "core/json_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PGC_MAX_IN_VALUES 100

static const struct {
    const char *name;
    pgc_op op;
} pgc_ops[] = {
    {"eq", PGC_EQ}, {"neq", PGC_NEQ}, {"lt", PGC_LT}, {"lte", PGC_LTE},
    {"gt", PGC_GT}, {"gte", PGC_GTE}, {"in", PGC_IN},
};

int pgc_event_mask(const char *event)
{
    if (!event || strcmp(event, "*") == 0)
        return event ? PGC_ALL : 0;
    if (strcasecmp(event, "INSERT") == 0)
        return PGC_INSERT;
    if (strcasecmp(event, "UPDATE") == 0)
        return PGC_UPDATE;
    if (strcasecmp(event, "DELETE") == 0)
        return PGC_DELETE;
    return 0;
}

static const char *pgc_string_field(json_object *b, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(b, key, &v))
        return NULL;
    return json_plain_string(v);
}

/* One value: "text" (PostgREST quoting: backslash escapes) or text. */
static char *pgc_unquote(const char *s, size_t n)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return strndup(s, n);
    char *out = malloc(n), *o = out;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

/* "(a,"b,c",d)" into values; false when not a parenthesised list. */
static bool pgc_parse_list(const char *s, pgc_binding *out)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '(' || s[n - 1] != ')')
        return false;
    out->values = calloc(PGC_MAX_IN_VALUES, sizeof(char *));
    const char *p = s + 1, *end = s + n - 1;
    while (p <= end && out->nvalues < PGC_MAX_IN_VALUES) {
        const char *q = p;
        bool quoted = false;
        while (q < end && (quoted || *q != ',')) {
            if (*q == '\\' && quoted && q + 1 < end)
                q++;
            else if (*q == '"')
                quoted = !quoted;
            q++;
        }
        if (quoted)
            return false;
        out->values[out->nvalues++] = pgc_unquote(p, (size_t)(q - p));
        p = q + 1;
    }
    return p > end;
}

/* "column=op.value" into out; false with why. */
static bool pgc_parse_filter(const char *filter, pgc_binding *out, char *why, size_t why_len)
{
    const char *eq = strchr(filter, '=');
    const char *dot = eq ? strchr(eq + 1, '.') : NULL;
    if (!eq || eq == filter || !dot) {
        snprintf(why, why_len,
                 "Error parsing `filter` params: expected column=operator.value, got %s", filter);
        return false;
    }
    size_t oplen = (size_t)(dot - eq - 1);
    size_t i = 0;
    while (i < sizeof(pgc_ops) / sizeof(pgc_ops[0]) &&
           (strlen(pgc_ops[i].name) != oplen || strncmp(pgc_ops[i].name, eq + 1, oplen) != 0))
        i++;
    if (i == sizeof(pgc_ops) / sizeof(pgc_ops[0])) {
        snprintf(why, why_len,
                 "Error parsing `filter` params: unknown operator %.*s (eq, neq, lt, lte, gt, gte, "
                 "in)",
                 (int)oplen, eq + 1);
        return false;
    }
    out->column = strndup(filter, (size_t)(eq - filter));
    out->op = pgc_ops[i].op;
    if (out->op == PGC_IN) {
        if (!pgc_parse_list(dot + 1, out)) {
            snprintf(why, why_len,
                     "Error parsing `filter` params: in takes a list in parentheses, e.g. "
                     "id=in.(1,2,3)");
            return false;
        }
        return true;
    }
    out->values = calloc(1, sizeof(char *));
    out->values[0] = pgc_unquote(dot + 1, strlen(dot + 1));
    out->nvalues = 1;
    return true;
}

bool pgc_binding_parse(json_object *b, long long id, pgc_binding *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    out->id = id;
    const char *event = pgc_string_field(b, "event");
    const char *schema = pgc_string_field(b, "schema");
    const char *table = pgc_string_field(b, "table");
    const char *filter = pgc_string_field(b, "filter");
    out->events = pgc_event_mask(event);
    out->schema = strdup(schema && *schema ? schema : "public");
    out->table = table && *table && strcmp(table, "*") != 0 ? strdup(table) : NULL;
    if (!out->events) {
        snprintf(why, why_len, "event must be INSERT, UPDATE, DELETE or *, not %s",
                 event ? event : "missing");
        return false;
    }
    if (filter && *filter && !pgc_parse_filter(filter, out, why, why_len))
        return false;
    return true;
}

void pgc_binding_clear(pgc_binding *b)
{
    free(b->schema);
    free(b->table);
    free(b->column);
    for (size_t i = 0; i < b->nvalues; i++)
        free(b->values[i]);
    free(b->values);
    memset(b, 0, sizeof(*b));
}

bool pgc_binding_wants(const pgc_binding *b, const char *schema, const char *table, int event)
{
    return (b->events & event) && strcmp(b->schema, schema) == 0 &&
           (!b->table || strcmp(b->table, table) == 0);
}

/* <0, 0, >0 as v compares with the filter value s; *ok false when they
 * cannot be compared. */
static int pgc_compare(json_object *v, const char *s, bool *ok)
{
    *ok = true;
    json_type t = json_object_get_type(v);
    if (t == json_type_int || t == json_type_double) {
        char *end;
        errno = 0;
        double want = strtod(s, &end);
        if (*s && !*end && errno == 0 && !isnan(want)) {
            double have = json_object_get_double(v);
            return (have > want) - (have < want);
        }
    } else if (t == json_type_boolean) {
        int want = strcmp(s, "true") == 0 || strcmp(s, "t") == 0    ? 1
                   : strcmp(s, "false") == 0 || strcmp(s, "f") == 0 ? 0
                                                                    : -1;
        if (want < 0) {
            *ok = false;
            return 0;
        }
        return json_object_get_boolean(v) - want;
    }
    const char *have = t == json_type_string ? json_object_get_string(v)
                                             : json_object_to_json_string_ext(v, JSON_TEXT_FLAGS);
    return strcmp(have, s);
}

bool pgc_filter_passes(const pgc_binding *b, json_object *row)
{
    if (!b->column)
        return true;
    json_object *v;
    if (!row || !json_object_object_get_ex(row, b->column, &v) || !v ||
        json_object_is_type(v, json_type_null))
        return false;
    bool ok;
    if (b->op == PGC_IN) {
        for (size_t i = 0; i < b->nvalues; i++)
            if (pgc_compare(v, b->values[i], &ok) == 0 && ok)
                return true;
        return false;
    }
    int c = pgc_compare(v, b->values[0], &ok);
    if (!ok)
        return false;
    switch (b->op) {
    case PGC_EQ:
        return c == 0;
    case PGC_NEQ:
        return c != 0;
    case PGC_LT:
        return c < 0;
    case PGC_LTE:
        return c <= 0;
    case PGC_GT:
        return c > 0;
    case PGC_GTE:
        return c >= 0;
    default:
        return false;
    }
}
