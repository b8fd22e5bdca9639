/* order=: sort terms of one resource (root, or rel.order= for an embedding).
 *   order := term (',' term)*
 *   term  := (relation '(' field ')' | field) ['.' asc|desc] ['.' nullsfirst|nullslast]
 * "relation(field)" orders by a column of a to-one embedding. */
#include "rest/parse/parse_internal.h"

#include <string.h>

static bool apply_modifier(scan *s, size_t at, const char *word, rest_order_term *term)
{
    bool is_dir = strcmp(word, "asc") == 0 || strcmp(word, "desc") == 0;
    bool is_nulls = strcmp(word, "nullsfirst") == 0 || strcmp(word, "nullslast") == 0;
    if (is_dir) {
        if (term->dir != REST_ORDER_DEFAULT || term->nulls != REST_NULLS_DEFAULT)
            return rest_scan_fail_at(s, at, "'%s' must be the first modifier and come only once",
                                     word);
        term->dir = word[0] == 'a' ? REST_ORDER_ASC : REST_ORDER_DESC;
        return true;
    }
    if (is_nulls) {
        if (term->nulls != REST_NULLS_DEFAULT)
            return rest_scan_fail_at(s, at, "nulls order given twice");
        term->nulls = strcmp(word, "nullsfirst") == 0 ? REST_NULLS_FIRST : REST_NULLS_LAST;
        return true;
    }
    return rest_scan_fail_at(s, at,
                             "unknown order modifier '%s' (expected asc, desc, nullsfirst or "
                             "nullslast)",
                             rest_excerpt(s->ctx->arena, word));
}

static bool parse_modifiers(scan *s, rest_order_term *term)
{
    while (rest_scan_accept(s, ".")) {
        size_t at = s->pos;
        while (!rest_scan_eof(s) && !strchr(".,", s->text[s->pos]))
            s->pos++;
        size_t end = s->pos;
        while (end > at && (s->text[end - 1] == ' ' || s->text[end - 1] == '\t'))
            end--;
        const char *word = arena_strndup(s->ctx->arena, s->text + at, end - at);
        if (!apply_modifier(s, at, word, term))
            return false;
    }
    return true;
}

static bool parse_term(scan *s, rest_order_term *term)
{
    const char *name;
    if (!rest_scan_name(s, "a column name", &name))
        return false;
    if (rest_scan_peek(s) == '(') {
        size_t open = s->pos++;
        term->relation = name;
        if (!rest_scan_field(s, "a column name", &term->field))
            return false;
        if (!rest_scan_accept(s, ")"))
            return rest_scan_eof(s)
                       ? rest_scan_fail_at(s, open, "unbalanced parenthesis")
                       : rest_scan_fail(s, "expected ')' after the column of '%s' but found %s",
                                        name, rest_scan_describe(s));
    } else {
        term->field.column = name;
        if (!rest_scan_json_path(s, &term->field))
            return false;
    }
    if (!parse_modifiers(s, term))
        return false;
    rest_scan_skip_ws(s);
    if (!rest_scan_eof(s) && rest_scan_peek(s) != ',')
        return rest_scan_fail(s, "unexpected %s in the order of '%s'", rest_scan_describe(s),
                              term->field.column);
    return true;
}

bool rest_parse_order_value(parse_ctx *ctx, const char *key, const char *value, rest_order *out)
{
    arena *a = ctx->arena;
    const char *shown = rest_excerpt(a, key);
    scan s;
    rest_scan_init(&s, ctx, value, shown, arena_printf(a, "%s=", shown));
    vec terms = {0};
    size_t comma = 0;
    for (;;) {
        rest_scan_skip_ws(&s);
        if (rest_scan_eof(&s) && terms.count > 0)
            return rest_scan_fail_at(&s, comma, "trailing comma");
        if (rest_scan_eof(&s))
            return rest_scan_fail_here(&s, "empty order");
        if (rest_scan_peek(&s) == ',')
            return rest_scan_fail(&s, "empty item");
        rest_order_term *term = vec_push(a, &terms, sizeof(*term));
        if (!parse_term(&s, term))
            return false;
        comma = s.pos;
        if (!rest_scan_accept(&s, ","))
            break;
    }
    out->terms = terms.items;
    out->count = terms.count;
    return true;
}
