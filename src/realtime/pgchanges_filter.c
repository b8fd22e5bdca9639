/* postgres_changes bindings and filters; see pgchanges_filter.h. */
#include "realtime/pgchanges_filter.h"

#include "core/json_text.h"
#include "core/utf8.h"
#include "realtime/pgchanges_regex.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PGC_MAX_IN_VALUES 100
#define PGC_MAX_CONDS 16
#define PGC_MAX_SELECT 1600 /* PostgreSQL's most columns in a table */

static const struct {
    const char *name;
    pgc_op op;
} pgc_ops[] = {
    {"eq", PGC_EQ},
    {"neq", PGC_NEQ},
    {"lt", PGC_LT},
    {"lte", PGC_LTE},
    {"gt", PGC_GT},
    {"gte", PGC_GTE},
    {"in", PGC_IN},
    {"like", PGC_LIKE},
    {"ilike", PGC_ILIKE},
    {"is", PGC_IS},
    {"match", PGC_MATCH},
    {"imatch", PGC_IMATCH},
    {"isdistinct", PGC_ISDISTINCT},
};

#define PGC_NOPS (sizeof(pgc_ops) / sizeof(pgc_ops[0]))

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
static bool pgc_parse_list(const char *s, pgc_cond *out)
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

/* The end of one condition: the next comma outside parentheses and
 * double quotes (or the end). */
static const char *pgc_cond_end(const char *p)
{
    int depth = 0;
    bool quoted = false;
    for (; *p; p++) {
        if (quoted && *p == '\\' && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == '(')
            depth++;
        else if (!quoted && *p == ')' && depth > 0)
            depth--;
        else if (!quoted && depth == 0 && *p == ',')
            return p;
    }
    return p;
}

static bool pgc_filter_error(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* false, with why = "Error parsing `filter` params: " and the detail. */
static bool pgc_filter_error(char *why, size_t why_len, const char *fmt, ...)
{
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(why, why_len, "Error parsing `filter` params: %s", detail);
    return false;
}

static bool pgc_is_value(const char *v)
{
    return strcmp(v, "null") == 0 || strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
           strcmp(v, "unknown") == 0;
}

/* The value part of a condition into c; false with why. */
static bool pgc_parse_value(const char *v, pgc_cond *c, char *why, size_t why_len)
{
    if (c->op == PGC_IN) {
        if (!pgc_parse_list(v, c))
            return pgc_filter_error(why, why_len,
                                    "in takes a list in parentheses, e.g. id=in.(1,2,3)");
        return true;
    }
    c->values = calloc(1, sizeof(char *));
    c->values[0] = pgc_unquote(v, strlen(v));
    c->nvalues = 1;
    if (c->op == PGC_IS && !pgc_is_value(c->values[0]))
        return pgc_filter_error(why, why_len, "is takes null, true, false or unknown, not %s",
                                c->values[0]);
    if (c->op == PGC_MATCH || c->op == PGC_IMATCH) {
        const char *problem = pgc_regex_problem(c->values[0]);
        if (problem)
            return pgc_filter_error(why, why_len, "%s", problem);
        regex_t *re = calloc(1, sizeof(*re));
        int flags = REG_EXTENDED | REG_NOSUB | (c->op == PGC_IMATCH ? REG_ICASE : 0);
        if (regcomp(re, c->values[0], flags) != 0) {
            free(re);
            return pgc_filter_error(why, why_len, "bad regular expression %s", c->values[0]);
        }
        c->regex = re;
    }
    return true;
}

/* One condition "column=[not.]op.value" (n bytes) into c; false with why. */
static bool pgc_parse_cond(const char *text, size_t n, pgc_cond *c, char *why, size_t why_len)
{
    char *cond = strndup(text, n);
    const char *eq = strchr(cond, '=');
    const char *op = eq ? eq + 1 : NULL;
    if (op && strncmp(op, "not.", 4) == 0) {
        c->negate = true;
        op += 4;
    }
    const char *dot = op ? strchr(op, '.') : NULL;
    bool ok = false;
    if (!eq || eq == cond || !dot) {
        pgc_filter_error(why, why_len, "expected column=operator.value, got %s", cond);
        goto done;
    }
    size_t i = 0, oplen = (size_t)(dot - op);
    while (i < PGC_NOPS &&
           (strlen(pgc_ops[i].name) != oplen || strncmp(pgc_ops[i].name, op, oplen) != 0))
        i++;
    if (i == PGC_NOPS) {
        pgc_filter_error(why, why_len,
                         "unknown operator %.*s (eq, neq, lt, lte, gt, gte, in, like, ilike, is, "
                         "match, imatch, isdistinct)",
                         (int)oplen, op);
        goto done;
    }
    c->column = strndup(cond, (size_t)(eq - cond));
    c->op = pgc_ops[i].op;
    ok = pgc_parse_value(dot + 1, c, why, why_len);
done:
    free(cond);
    return ok;
}

/* "cond,cond,..." into out (ANDed); false with why. */
static bool pgc_parse_filter(const char *filter, pgc_binding *out, char *why, size_t why_len)
{
    out->conds = calloc(PGC_MAX_CONDS, sizeof(*out->conds));
    const char *p = filter;
    while (*p) {
        if (out->nconds == PGC_MAX_CONDS)
            return pgc_filter_error(why, why_len, "at most %d conditions", PGC_MAX_CONDS);
        const char *end = pgc_cond_end(p);
        if (!pgc_parse_cond(p, (size_t)(end - p), &out->conds[out->nconds++], why, why_len))
            return false;
        p = *end ? end + 1 : end;
    }
    return true;
}

static int pgc_cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* select: a list of column names (absent, null or empty: every column). */
static bool pgc_parse_select(json_object *b, pgc_binding *out, char *why, size_t why_len)
{
    json_object *list;
    if (!json_object_object_get_ex(b, "select", &list) || !list)
        return true;
    size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    if (!json_object_is_type(list, json_type_array) || n > PGC_MAX_SELECT) {
        snprintf(why, why_len, "select must be a list of at most %d column names", PGC_MAX_SELECT);
        return false;
    }
    out->select = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *name = json_plain_string(json_object_array_get_idx(list, i));
        if (!name || !*name) {
            snprintf(why, why_len, "select must be a list of column names");
            return false;
        }
        out->select[out->nselect++] = strdup(name);
    }
    qsort(out->select, out->nselect, sizeof(char *), pgc_cmp_names);
    return true;
}

static bool pgc_binding_read(json_object *b, long long id, pgc_binding *out, char *why,
                             size_t why_len)
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
    return pgc_parse_select(b, out, why, why_len);
}

/* The reason quotes client text, cut to fit: it goes out in a text frame. */
bool pgc_binding_parse(json_object *b, long long id, pgc_binding *out, char *why, size_t why_len)
{
    bool ok = pgc_binding_read(b, id, out, why, why_len);
    if (!ok)
        utf8_scrub(why);
    return ok;
}

static void pgc_cond_clear(pgc_cond *c)
{
    free(c->column);
    for (size_t i = 0; i < c->nvalues; i++)
        free(c->values[i]);
    free(c->values);
    if (c->regex) {
        regfree(c->regex);
        free(c->regex);
    }
}

void pgc_binding_clear(pgc_binding *b)
{
    free(b->schema);
    free(b->table);
    for (size_t i = 0; i < b->nconds; i++)
        pgc_cond_clear(&b->conds[i]);
    free(b->conds);
    for (size_t i = 0; i < b->nselect; i++)
        free(b->select[i]);
    free(b->select);
    memset(b, 0, sizeof(*b));
}

bool pgc_binding_selects(const pgc_binding *b, const char *column)
{
    return b->nselect == 0 ||
           bsearch(&column, b->select, b->nselect, sizeof(char *), pgc_cmp_names) != NULL;
}

bool pgc_same_select(const pgc_binding *a, const pgc_binding *b)
{
    if (a->nselect != b->nselect)
        return false;
    for (size_t i = 0; i < a->nselect; i++)
        if (strcmp(a->select[i], b->select[i]) != 0)
            return false;
    return true;
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

/* The text of a non-null value (strings as they are, others as JSON). */
static const char *pgc_text(json_object *v)
{
    return json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : json_object_to_json_string_ext(v, JSON_TEXT_FLAGS);
}

/* SQL LIKE: % any run, _ any one character (bytes), \ escapes. */
/* Bytes of the UTF-8 character at s (a stray byte counts as one). */
static size_t pgc_char_len(const char *s)
{
    size_t n = 1;
    while ((s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* SQL LIKE: % any run, _ one character, \ escapes the next. Greedy with
 * one backtrack point (the last %), so at worst length(s) x length(p)
 * steps: a pattern like %a%a%a...%b cannot make the daemon retry
 * exponentially. */
static bool pgc_like(const char *s, const char *p, bool icase)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '%') {
            while (*p == '%')
                p++;
            if (!*p)
                return true;
            star = p;
            resume = s;
            continue;
        }
        if (*p == '_') {
            s += pgc_char_len(s);
            p++;
            continue;
        }
        const char *lit = *p == '\\' && p[1] ? p + 1 : p;
        if (*lit &&
            (icase ? tolower((unsigned char)*s) == tolower((unsigned char)*lit) : *s == *lit)) {
            s++;
            p = lit + 1;
            continue;
        }
        if (!star)
            return false;
        resume += pgc_char_len(resume); /* the last % takes one more character */
        s = resume;
        p = star;
    }
    while (*p == '%')
        p++;
    return !*p;
}

/* 1 true, 0 false, -1 unknown (SQL null) for one condition on value v
 * (NULL when the column is missing or null). */
static int pgc_cond_eval(const pgc_cond *c, json_object *v)
{
    bool null = !v || json_object_is_type(v, json_type_null), ok;
    const char *want = c->values[0];
    if (c->op == PGC_IS) {
        if (strcmp(want, "null") == 0 || strcmp(want, "unknown") == 0)
            return null;
        return !null && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v) == (strcmp(want, "true") == 0);
    }
    if (c->op == PGC_ISDISTINCT)
        return null ? strcmp(want, "null") != 0 : pgc_compare(v, want, &ok) != 0 || !ok;
    if (null)
        return -1;
    switch (c->op) {
    case PGC_IN:
        for (size_t i = 0; i < c->nvalues; i++)
            if (pgc_compare(v, c->values[i], &ok) == 0 && ok)
                return 1;
        return 0;
    case PGC_LIKE:
    case PGC_ILIKE:
        return pgc_like(pgc_text(v), want, c->op == PGC_ILIKE);
    case PGC_MATCH:
    case PGC_IMATCH:
        return regexec(c->regex, pgc_text(v), 0, NULL, 0) == 0;
    default:
        break;
    }
    int cmp = pgc_compare(v, want, &ok);
    if (!ok)
        return 0;
    switch (c->op) {
    case PGC_EQ:
        return cmp == 0;
    case PGC_NEQ:
        return cmp != 0;
    case PGC_LT:
        return cmp < 0;
    case PGC_LTE:
        return cmp <= 0;
    case PGC_GT:
        return cmp > 0;
    default:
        return cmp >= 0;
    }
}

bool pgc_filter_passes(const pgc_binding *b, json_object *row)
{
    for (size_t i = 0; i < b->nconds; i++) {
        const pgc_cond *c = &b->conds[i];
        json_object *v = NULL;
        if (row)
            json_object_object_get_ex(row, c->column, &v);
        int r = pgc_cond_eval(c, v);
        if (r < 0 || (c->negate ? r : !r))
            return false;
    }
    return true;
}
