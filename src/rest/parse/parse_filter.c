/* Filter conditions, the right-hand side of col=[not.]op[(modifier)].value,
 * shared by filter parameters and the leaves of logic trees:
 *   eq neq gt gte lt lte like ilike match imatch   value (eq(any).{..} too)
 *   is        null | not_null | true | false | unknown  (any letter case)
 *   isdistinct cs cd ov sl sr nxl nxr adj         value
 *   in        ( elem, "quoted, elem", ... )
 *   fts plfts phfts wfts [ (language) ]           value
 * Values stay text; like/ilike turn '*' into '%'. */
#include "rest/parse/parse_internal.h"

#include <string.h>
#include <strings.h>

typedef enum op_kind {
    OPK_SIMPLE, /* op.value */
    OPK_QUANT,  /* op[(any|all)].value */
    OPK_IS,
    OPK_IN,
    OPK_FTS, /* op[(language)].value */
} op_kind;

typedef struct op_spec {
    const char *name;
    rest_operator op;
    op_kind kind;
} op_spec;

static const op_spec operators[] = {
    {"eq", REST_OP_EQ, OPK_QUANT},       {"neq", REST_OP_NEQ, OPK_SIMPLE},
    {"gt", REST_OP_GT, OPK_QUANT},       {"gte", REST_OP_GTE, OPK_QUANT},
    {"lt", REST_OP_LT, OPK_QUANT},       {"lte", REST_OP_LTE, OPK_QUANT},
    {"like", REST_OP_LIKE, OPK_QUANT},   {"ilike", REST_OP_ILIKE, OPK_QUANT},
    {"match", REST_OP_MATCH, OPK_QUANT}, {"imatch", REST_OP_IMATCH, OPK_QUANT},
    {"is", REST_OP_IS, OPK_IS},          {"isdistinct", REST_OP_ISDISTINCT, OPK_SIMPLE},
    {"in", REST_OP_IN, OPK_IN},          {"cs", REST_OP_CS, OPK_SIMPLE},
    {"cd", REST_OP_CD, OPK_SIMPLE},      {"ov", REST_OP_OV, OPK_SIMPLE},
    {"sl", REST_OP_SL, OPK_SIMPLE},      {"sr", REST_OP_SR, OPK_SIMPLE},
    {"nxl", REST_OP_NXL, OPK_SIMPLE},    {"nxr", REST_OP_NXR, OPK_SIMPLE},
    {"adj", REST_OP_ADJ, OPK_SIMPLE},    {"fts", REST_OP_FTS, OPK_FTS},
    {"plfts", REST_OP_PLFTS, OPK_FTS},   {"phfts", REST_OP_PHFTS, OPK_FTS},
    {"wfts", REST_OP_WFTS, OPK_FTS},
};

static const char operator_hint[] =
    "Operators: eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, is, isdistinct, in, "
    "cs, cd, ov, sl, sr, nxl, nxr, adj, fts, plfts, phfts, wfts; 'not.' negates any of them.";

static const op_spec *find_operator(const char *name)
{
    for (size_t i = 0; i < sizeof operators / sizeof *operators; i++)
        if (strcmp(operators[i].name, name) == 0)
            return &operators[i];
    return NULL;
}

/* Characters up to the end of the current value: everything for a filter
 * parameter, up to ',' or ')' inside a logic tree. */
static bool ends_value(const scan *s, value_style style)
{
    if (rest_scan_eof(s))
        return true;
    char c = s->text[s->pos];
    return style == VALUE_IN_LOGIC && (c == ',' || c == ')');
}

static const char *read_until(scan *s, const char *stops)
{
    size_t start = s->pos;
    while (!rest_scan_eof(s) && !strchr(stops, s->text[s->pos]))
        s->pos++;
    return arena_strndup(s->ctx->arena, s->text + start, s->pos - start);
}

/* Filter parameters name the column in scan->what; logic-tree leaves name it
 * here, with the position in the tree. */
static bool fail_operator(scan *s, const char *subject, size_t pos, const char *problem)
{
    if (subject)
        rest_scan_fail_at(s, pos, "%s on '%s'", problem, subject);
    else
        rest_scan_fail_here(s, "%s", problem);
    s->ctx->err->hint = operator_hint;
    return false;
}

/* The operator name, after an optional "not.". */
static bool read_operator(scan *s, const char *subject, rest_condition *out, const op_spec **spec)
{
    arena *a = s->ctx->arena;
    size_t start = s->pos;
    const char *word = read_until(s, ".(),");
    if (strcmp(word, "not") == 0 && rest_scan_peek(s) == '.') {
        out->negated = true;
        s->pos++;
        start = s->pos;
        word = read_until(s, ".(),");
    }
    *spec = find_operator(word);
    if (*spec)
        return true;
    if (*word == '\0' || rest_scan_eof(s))
        return fail_operator(s, subject, start,
                             arena_printf(a,
                                          "missing operator: expected operator.value (for "
                                          "example eq.%s) but found '%s'",
                                          *word ? rest_excerpt(a, word) : "1",
                                          rest_excerpt(a, s->text + start)));
    return fail_operator(s, subject, start,
                         arena_printf(a, "unknown operator '%s'", rest_excerpt(a, word)));
}

static bool read_modifier(scan *s, const op_spec *spec, rest_condition *out)
{
    size_t open = s->pos++;
    if (spec->kind == OPK_QUANT) {
        if (rest_scan_accept(s, "any)"))
            out->quantifier = REST_QUANT_ANY;
        else if (rest_scan_accept(s, "all)"))
            out->quantifier = REST_QUANT_ALL;
        else
            return rest_scan_fail_at(s, open, "expected (any) or (all) after operator '%s'",
                                     spec->name);
        return true;
    }
    if (spec->kind == OPK_FTS) {
        if (!rest_scan_identifier(s, "a text search language", &out->language))
            return false;
        if (!rest_scan_accept(s, ")"))
            return rest_scan_fail(s, "expected ')' after the language of '%s' but found %s",
                                  spec->name, rest_scan_describe(s));
        return true;
    }
    return rest_scan_fail_at(s, open, "operator '%s' takes no modifier in parentheses", spec->name);
}

/* Inside a logic tree: "quoted" (when followed by ',' or ')'), {pg,array}
 * or plain text up to ',' or ')'. */
static bool read_logic_value(scan *s, const char **out)
{
    size_t start = s->pos;
    if (rest_scan_peek(s) == '"') {
        if (!rest_scan_quoted(s, out))
            return false;
        if (ends_value(s, VALUE_IN_LOGIC))
            return true;
        s->pos = start; /* "a"b is plain text, as in PostgREST */
    } else if (rest_scan_peek(s) == '{') {
        const char *close = memchr(s->text + s->pos, '}', s->len - s->pos);
        if (!close)
            return rest_scan_fail(s, "unterminated array value: '{' is never closed");
        s->pos = (size_t)(close - s->text) + 1;
        *out = arena_strndup(s->ctx->arena, s->text + start, s->pos - start);
        return true;
    }
    *out = read_until(s, ",)");
    return true;
}

static bool read_value(scan *s, value_style style, const char **out)
{
    if (style == VALUE_IN_LOGIC)
        return read_logic_value(s, out);
    *out = arena_strndup(s->ctx->arena, s->text + s->pos, s->len - s->pos);
    s->pos = s->len;
    return true;
}

/* One element of in.(...): "quoted" when followed by ',' or ')', else
 * plain text up to ',' or ')'. */
static bool read_list_element(scan *s, const char **out)
{
    size_t start = s->pos;
    if (rest_scan_peek(s) == '"') {
        if (!rest_scan_quoted(s, out))
            return false;
        if (rest_scan_peek(s) == ',' || rest_scan_peek(s) == ')')
            return true;
        s->pos = start;
    }
    *out = read_until(s, ",)");
    return true;
}

static bool read_list(scan *s, value_style style, rest_condition *out)
{
    rest_scan_skip_ws(s);
    if (rest_scan_peek(s) != '(')
        return rest_scan_fail(s, "expected '(' to start the list of 'in' but found %s",
                              rest_scan_describe(s));
    size_t open = s->pos++;
    vec items = {0};
    rest_scan_skip_ws(s);
    bool empty = rest_scan_peek(s) == ')';
    while (!empty) {
        const char **item = vec_push(s->ctx->arena, &items, sizeof(char *));
        if (!read_list_element(s, item))
            return false;
        if (!rest_scan_accept(s, ","))
            break;
    }
    if (!rest_scan_accept(s, ")"))
        return rest_scan_fail_at(s, open,
                                 "unbalanced parenthesis: the list of 'in' is never closed");
    rest_scan_skip_ws(s);
    if (!ends_value(s, style))
        return rest_scan_fail(s, "unexpected %s after the list of 'in'", rest_scan_describe(s));
    out->list = items.items;
    out->list_count = items.count;
    return true;
}

static bool read_is_value(scan *s, value_style style, rest_condition *out)
{
    static const struct {
        const char *word;
        rest_is_value value;
    } words[] = {
        {"null", REST_IS_NULL},   {"not_null", REST_IS_NOT_NULL}, {"true", REST_IS_TRUE},
        {"false", REST_IS_FALSE}, {"unknown", REST_IS_UNKNOWN},
    };
    size_t start = s->pos;
    const char *word = style == VALUE_IN_LOGIC ? read_until(s, ",)") : read_until(s, "");
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasecmp(word, words[i].word) == 0) {
            out->is_value = words[i].value;
            return true;
        }
    return rest_scan_fail_at(s, start,
                             "invalid value '%s' for operator 'is' (expected null, not_null, true, "
                             "false or unknown)",
                             rest_excerpt(s->ctx->arena, word));
}

static char *star_to_percent(char *value)
{
    for (char *p = value; *p; p++)
        if (*p == '*')
            *p = '%';
    return value;
}

bool rest_parse_condition(scan *s, value_style style, const char *subject, rest_condition *out)
{
    const op_spec *spec;
    if (!read_operator(s, subject, out, &spec))
        return false;
    out->op = spec->op;
    if (rest_scan_peek(s) == '(' && !read_modifier(s, spec, out))
        return false;
    if (!rest_scan_accept(s, "."))
        return rest_scan_fail(s, "expected '.' and a value after operator '%s' but found %s",
                              spec->name, rest_scan_describe(s));
    if (spec->kind == OPK_IN)
        return read_list(s, style, out);
    if (spec->kind == OPK_IS)
        return read_is_value(s, style, out);
    if (!read_value(s, style, &out->value))
        return false;
    if (out->op == REST_OP_LIKE || out->op == REST_OP_ILIKE)
        out->value = star_to_percent((char *)out->value);
    return true;
}

bool rest_parse_filter_value(parse_ctx *ctx, const char *key, const char *value,
                             rest_condition *out)
{
    arena *a = ctx->arena;
    const char *shown = rest_excerpt(a, key);
    scan s;
    rest_scan_init(&s, ctx, value, arena_printf(a, "filter on '%s'", shown),
                   arena_printf(a, "%s=", shown));
    return rest_parse_condition(&s, VALUE_TO_END, NULL, out);
}
