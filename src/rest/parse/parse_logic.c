/* Logic trees: or=(a.eq.1,b.gt.2), not.and=(...), rel.or=(...).
 *   tree := '(' node (',' node)* ')'
 *   node := ['not.'] ('and' | 'or') tree            branch
 *         | field '.' condition                      leaf (see parse_filter.c)
 * A column may be called "and", "or" or "not": a node is a branch only when
 * and/or is followed by '('. Recursion follows the tree depth, which is
 * checked against max_logic_depth before descending. */
#include "rest/parse/parse_internal.h"

#include <string.h>

static bool parse_children(scan *s, size_t depth, size_t open, rest_logic_node *node);

/* At "and(" / "or(" (blanks allowed before '('): consumes through '('. */
static bool accept_branch_start(scan *s, rest_logic_op *op)
{
    size_t save = s->pos;
    if (rest_scan_accept(s, "and"))
        *op = REST_LOGIC_AND;
    else if (rest_scan_accept(s, "or"))
        *op = REST_LOGIC_OR;
    else
        return false;
    rest_scan_skip_ws(s);
    if (rest_scan_peek(s) == '(')
        return true;
    s->pos = save;
    return false;
}

static bool parse_leaf(scan *s, rest_logic_node *node)
{
    node->is_condition = true;
    if (!rest_count_filter(s->ctx))
        return false;
    if (!rest_scan_field(s, "a column name", &node->field))
        return false;
    if (!rest_scan_accept(s, "."))
        return rest_scan_fail(s, "expected '.' and an operator after '%s' but found %s",
                              node->field.column, rest_scan_describe(s));
    return rest_parse_condition(s, VALUE_IN_LOGIC, node->field.column, &node->cond);
}

static bool parse_node(scan *s, size_t depth, rest_logic_node *node)
{
    rest_scan_skip_ws(s);
    if (rest_scan_eof(s) || rest_scan_peek(s) == ',' || rest_scan_peek(s) == ')')
        return rest_scan_fail(s, "empty condition");
    size_t start = s->pos;
    bool negated = rest_scan_accept(s, "not.");
    if (!accept_branch_start(s, &node->op)) {
        s->pos = start;
        return parse_leaf(s, node);
    }
    node->negated = negated;
    size_t open = s->pos++;
    if (depth + 1 > s->ctx->limits.max_logic_depth)
        return rest_scan_fail_at(s, open,
                                 "logic tree depth exceeds the limit of %zu (max_logic_depth)",
                                 s->ctx->limits.max_logic_depth);
    return parse_children(s, depth + 1, open, node);
}

/* The nodes after the '(' at open, through the matching ')'. */
static bool parse_children(scan *s, size_t depth, size_t open, rest_logic_node *node)
{
    vec children = {0};
    rest_scan_skip_ws(s);
    if (rest_scan_peek(s) == ')')
        return rest_scan_fail_at(s, open, "empty logic tree");
    for (;;) {
        if (rest_scan_eof(s))
            return rest_scan_fail_at(s, open, "unbalanced parenthesis");
        rest_logic_node *child = vec_push(s->ctx->arena, &children, sizeof(*child));
        if (!parse_node(s, depth, child))
            return false;
        rest_scan_skip_ws(s);
        size_t comma = s->pos;
        if (!rest_scan_accept(s, ","))
            break;
        rest_scan_skip_ws(s);
        if (rest_scan_eof(s) || rest_scan_peek(s) == ')')
            return rest_scan_fail_at(s, comma, "trailing comma");
    }
    if (rest_scan_eof(s))
        return rest_scan_fail_at(s, open, "unbalanced parenthesis");
    if (!rest_scan_accept(s, ")"))
        return rest_scan_fail(s, "unexpected %s (expected ',' or ')')", rest_scan_describe(s));
    node->children = children.items;
    node->child_count = children.count;
    return true;
}

bool rest_parse_logic_value(parse_ctx *ctx, const char *key, const char *value, bool negated,
                            rest_logic_op op, rest_logic_node *root)
{
    arena *a = ctx->arena;
    const char *shown = rest_excerpt(a, key);
    scan s;
    rest_scan_init(&s, ctx, value, arena_printf(a, "logic tree '%s'", shown),
                   arena_printf(a, "%s=", shown));
    root->is_condition = false;
    root->negated = negated;
    root->op = op;
    if (ctx->limits.max_logic_depth < 1)
        return rest_scan_fail_here(&s, "logic tree depth exceeds the limit of 0 (max_logic_depth)");
    rest_scan_skip_ws(&s);
    if (rest_scan_peek(&s) != '(')
        return rest_scan_fail(&s, "expected '(' to start the logic tree but found %s",
                              rest_scan_describe(&s));
    size_t open = s.pos++;
    if (!parse_children(&s, 1, open, root))
        return false;
    rest_scan_skip_ws(&s);
    if (rest_scan_peek(&s) == ')')
        return rest_scan_fail(&s, "unbalanced parenthesis");
    if (!rest_scan_eof(&s))
        return rest_scan_fail(&s, "unexpected %s after the logic tree", rest_scan_describe(&s));
    return true;
}
