/* select=: the tree of columns and embeddings.
 *   list   := item (',' item)*           (empty at the root means '*')
 *   item   := '*'
 *           | '...' rel params '(' list? ')'                 spread
 *           | [alias ':'] rel params '(' list? ')'           embedding
 *           | [alias ':'] name json_path ['::' cast]          column
 *   params := ('!' (inner | left | hint)){0,2}
 * Recursion follows the embedding depth, which is checked against
 * max_embed_depth before descending. Aggregates (sum(), count(), ...) are
 * refused with PGRST123. */
#include "rest/parse/parse_internal.h"

#include <string.h>

static bool parse_items(scan *s, size_t depth, bool nested, size_t open_pos, rest_select_list *out);

static bool at_item_end(scan *s)
{
    rest_scan_skip_ws(s);
    char c = rest_scan_peek(s);
    return rest_scan_eof(s) || c == ',' || c == ')';
}

static bool fail_aggregate(scan *s, size_t pos, const char *function)
{
    return rest_fail(s->ctx, 400, "PGRST123", rest_scan_details(s), NULL,
                     "Use of aggregate functions is not allowed ('%s()' in select at position "
                     "%zu)",
                     function, pos + 1);
}

/* At '.' after a column: "col.sum()" and friends are aggregates. */
static bool fail_after_dot(scan *s)
{
    static const char *const aggregates[] = {"sum", "avg", "count", "max", "min"};
    size_t dot = s->pos;
    for (size_t i = 0; i < sizeof aggregates / sizeof *aggregates; i++) {
        size_t n = strlen(aggregates[i]);
        if (s->len - dot > n + 2 && memcmp(s->text + dot + 1, aggregates[i], n) == 0 &&
            memcmp(s->text + dot + 1 + n, "()", 2) == 0)
            return fail_aggregate(s, dot + 1, aggregates[i]);
    }
    return rest_scan_fail(s, "unexpected '.'");
}

static bool parse_embed_params(scan *s, rest_select_item *item)
{
    while (rest_scan_accept(s, "!")) {
        size_t at = s->pos;
        bool quoted = rest_scan_peek(s) == '"';
        const char *param;
        if (!rest_scan_name(s, "an embedding hint, 'inner' or 'left'", &param))
            return false;
        rest_join join = REST_JOIN_DEFAULT;
        if (!quoted && strcmp(param, "inner") == 0)
            join = REST_JOIN_INNER;
        else if (!quoted && strcmp(param, "left") == 0)
            join = REST_JOIN_LEFT;
        if (join != REST_JOIN_DEFAULT) {
            if (item->join != REST_JOIN_DEFAULT)
                return rest_scan_fail_at(s, at, "embedding '%s' has two join types",
                                         item->relation);
            item->join = join;
        } else {
            if (item->hint)
                return rest_scan_fail_at(s, at, "embedding '%s' has two hints ('%s' and '%s')",
                                         item->relation, item->hint, param);
            item->hint = param;
        }
    }
    return true;
}

static bool parse_embedding(scan *s, size_t depth, rest_select_item *item)
{
    if (!parse_embed_params(s, item))
        return false;
    if (rest_scan_peek(s) != '(')
        return rest_scan_fail(s, "expected '(' after embedding '%s' but found %s", item->relation,
                              rest_scan_describe(s));
    size_t open = s->pos++;
    if (depth + 1 > s->ctx->limits.max_embed_depth)
        return rest_scan_fail_at(s, open,
                                 "embedding depth exceeds the limit of %zu (max_embed_depth)",
                                 s->ctx->limits.max_embed_depth);
    if (!parse_items(s, depth + 1, true, open, &item->children))
        return false;
    if (!at_item_end(s))
        return rest_scan_fail(s, "unexpected %s after embedding '%s'", rest_scan_describe(s),
                              item->relation);
    return true;
}

static bool parse_column(scan *s, rest_select_item *item)
{
    item->kind = REST_SELECT_COLUMN;
    if (!rest_scan_json_path(s, &item->field))
        return false;
    if (rest_scan_peek(s) == '(' || rest_scan_peek(s) == '!')
        return rest_scan_fail(s,
                              "unexpected %s after the JSON path of '%s' (JSON paths cannot be "
                              "embedded)",
                              rest_scan_describe(s), item->field.column);
    if (rest_scan_accept(s, "::") &&
        !rest_scan_identifier(s, "a type name after '::'", &item->cast))
        return false;
    if (rest_scan_peek(s) == '.')
        return fail_after_dot(s);
    if (!at_item_end(s))
        return rest_scan_fail(s, "unexpected %s after column '%s'", rest_scan_describe(s),
                              item->field.column);
    return true;
}

static bool parse_star(scan *s, rest_select_item *item)
{
    s->pos++;
    item->kind = REST_SELECT_STAR;
    if (!at_item_end(s))
        return rest_scan_fail(s, "unexpected %s after '*'", rest_scan_describe(s));
    return true;
}

static bool parse_spread(scan *s, size_t depth, rest_select_item *item)
{
    item->kind = REST_SELECT_SPREAD;
    if (!rest_scan_name(s, "a relation name after '...'", &item->relation))
        return false;
    return parse_embedding(s, depth, item);
}

/* [alias:]name then an embedding or a column. */
static bool parse_named_item(scan *s, size_t depth, rest_select_item *item)
{
    const char *name;
    if (!rest_scan_name(s, "a column or relation name", &name))
        return false;
    if (rest_scan_peek(s) == ':' && !rest_scan_at(s, "::")) {
        s->pos++;
        item->alias = name;
        rest_scan_skip_ws(s);
        if (rest_scan_at(s, "..."))
            return rest_scan_fail(s, "a spread embedding cannot have an alias");
        if (rest_scan_peek(s) == '*')
            return rest_scan_fail(s, "'*' cannot have an alias");
        if (!rest_scan_name(s, "a column or relation name after the alias", &name))
            return false;
    }
    if (strcmp(name, "count") == 0 && rest_scan_at(s, "()"))
        return fail_aggregate(s, s->pos - strlen("count"), "count");
    if (rest_scan_peek(s) == '!' || rest_scan_peek(s) == '(') {
        item->kind = REST_SELECT_EMBED;
        item->relation = name;
        return parse_embedding(s, depth, item);
    }
    item->field.column = name;
    return parse_column(s, item);
}

static bool parse_item(scan *s, size_t depth, rest_select_item *item)
{
    rest_scan_skip_ws(s);
    char c = rest_scan_peek(s);
    if (c == ',' || c == ')' || rest_scan_eof(s))
        return rest_scan_fail(s, "empty item");
    if (rest_scan_accept(s, "..."))
        return parse_spread(s, depth, item);
    if (c == '*')
        return parse_star(s, item);
    return parse_named_item(s, depth, item);
}

/* Items up to the end (root) or the ')' that closes the '(' at open_pos. */
static bool parse_items(scan *s, size_t depth, bool nested, size_t open_pos, rest_select_list *out)
{
    vec items = {0};
    rest_scan_skip_ws(s);
    bool empty = nested ? rest_scan_peek(s) == ')' : rest_scan_eof(s);
    while (!empty) {
        if (nested && rest_scan_eof(s))
            return rest_scan_fail_at(s, open_pos, "unbalanced parenthesis");
        rest_select_item *item = vec_push(s->ctx->arena, &items, sizeof(*item));
        if (!parse_item(s, depth, item))
            return false;
        size_t comma = s->pos;
        if (!rest_scan_accept(s, ","))
            break;
        rest_scan_skip_ws(s);
        if (rest_scan_eof(s) || rest_scan_peek(s) == ')')
            return rest_scan_fail_at(s, comma, "trailing comma");
    }
    if (nested) {
        if (rest_scan_eof(s))
            return rest_scan_fail_at(s, open_pos, "unbalanced parenthesis");
        s->pos++; /* ')': anything else ended parse_item with an error */
    } else if (!rest_scan_eof(s)) {
        return rest_scan_fail(s, "unbalanced parenthesis");
    }
    out->items = items.items;
    out->count = items.count;
    return true;
}

static bool is_blank_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

bool rest_parse_select_param(parse_ctx *ctx, const char *value, rest_select_list *out)
{
    size_t len = strlen(value);
    if (len > ctx->limits.max_select_length)
        return rest_fail(ctx, 400, "PGRST100", NULL, "Select fewer columns or embeddings.",
                         "select is %zu bytes long, more than the limit of %zu "
                         "(max_select_length)",
                         len, ctx->limits.max_select_length);
    if (is_blank_text(value)) {
        out->items = arena_zalloc(ctx->arena, sizeof(rest_select_item));
        out->items[0].kind = REST_SELECT_STAR;
        out->count = 1;
        return true;
    }
    scan s;
    rest_scan_init(&s, ctx, value, "select", "select=");
    return parse_items(&s, 0, false, 0, out);
}
