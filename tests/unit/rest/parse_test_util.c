/* See parse_test_util.h. */
#include "parse_test_util.h"

#include "core/sbuf.h"

#include <stdio.h>

arena *tu_arena;

static int suite_init(void)
{
    if (!tu_arena)
        tu_arena = arena_new(1 << 16);
    return 0;
}

static void test_setup(void)
{
    arena_reset(tu_arena);
}

CU_pSuite tu_add_suite(const char *name)
{
    return CU_add_suite_with_setup_and_teardown(name, suite_init, NULL, test_setup, NULL);
}

rest_parse_input tu_input(rest_method method, const char *qs)
{
    query_params *q = arena_zalloc(tu_arena, sizeof(*q));
    query_status st = query_parse(tu_arena, qs, (size_t)1 << 30, q);
    if (st != QUERY_OK)
        fprintf(stderr, "\n  test query string does not decode: %s\n", query_status_message(st));
    CU_ASSERT_EQUAL(st, QUERY_OK);
    rest_parse_input in = {.method = method, .query = q};
    return in;
}

bool tu_run(const rest_parse_input *in, const rest_limits *limits, rest_request **req,
            rest_parse_error **err)
{
    *req = arena_zalloc(tu_arena, sizeof(**req));
    *err = arena_zalloc(tu_arena, sizeof(**err));
    return rest_parse_request(tu_arena, in, limits, *req, *err);
}

rest_request *tu_ok_in(const rest_parse_input *in, const rest_limits *limits)
{
    rest_request *req;
    rest_parse_error *err;
    if (tu_run(in, limits, &req, &err))
        return req;
    fprintf(stderr, "\n  unexpected parse error %d %s: %s\n", err->status, err->code, err->message);
    CU_FAIL_FATAL("parse failed");
    return NULL;
}

rest_parse_error *tu_fail_in(const rest_parse_input *in, const rest_limits *limits)
{
    rest_request *req;
    rest_parse_error *err;
    if (!tu_run(in, limits, &req, &err)) {
        CU_ASSERT_PTR_NOT_NULL(err->message);
        CU_ASSERT_PTR_NOT_NULL(err->code);
        return err;
    }
    CU_FAIL_FATAL("parse succeeded but should have failed");
    return NULL;
}

rest_request *tu_ok(const char *qs)
{
    rest_parse_input in = tu_input(REST_GET, qs);
    return tu_ok_in(&in, NULL);
}

rest_parse_error *tu_fail(const char *qs)
{
    rest_parse_input in = tu_input(REST_GET, qs);
    return tu_fail_in(&in, NULL);
}

bool tu_contains(const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle))
        return true;
    fprintf(stderr, "\n  expected [%s] in [%s]\n", needle, haystack ? haystack : "(null)");
    return false;
}

/* ---- renderings --------------------------------------------------------- */

static void put_field(sbuf *b, const rest_field *f)
{
    sbuf_puts(b, f->column);
    for (size_t i = 0; i < f->json_path_len; i++) {
        const rest_json_step *s = &f->json_path[i];
        sbuf_printf(b, "%s%s%s", s->as_text ? "->>" : "->", s->is_index ? "#" : "", s->key);
    }
}

const char *tu_field(const rest_field *f)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_field(&b, f);
    return b.data;
}

static void put_select(sbuf *b, const rest_select_list *l);

static void put_select_item(sbuf *b, const rest_select_item *it)
{
    if (it->alias)
        sbuf_printf(b, "%s:", it->alias);
    switch (it->kind) {
    case REST_SELECT_STAR:
        sbuf_puts(b, "*");
        return;
    case REST_SELECT_COLUMN:
        put_field(b, &it->field);
        if (it->cast)
            sbuf_printf(b, "::%s", it->cast);
        return;
    case REST_SELECT_SPREAD:
        sbuf_puts(b, "...");
        /* fall through */
    case REST_SELECT_EMBED:
        sbuf_puts(b, it->relation);
        if (it->hint)
            sbuf_printf(b, "!h:%s", it->hint);
        if (it->join == REST_JOIN_INNER)
            sbuf_puts(b, "!inner");
        if (it->join == REST_JOIN_LEFT)
            sbuf_puts(b, "!left");
        sbuf_puts(b, "(");
        put_select(b, &it->children);
        sbuf_puts(b, ")");
        return;
    }
}

static void put_select(sbuf *b, const rest_select_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        if (i)
            sbuf_puts(b, ",");
        put_select_item(b, &l->items[i]);
    }
}

const char *tu_select(const rest_select_list *l)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_select(&b, l);
    return b.data;
}

static const char *const op_names[] = {
    "eq",     "neq", "gt",         "gte", "lt",    "lte",   "like", "ilike", "match",
    "imatch", "is",  "isdistinct", "in",  "cs",    "cd",    "ov",   "sl",    "sr",
    "nxl",    "nxr", "adj",        "fts", "plfts", "phfts", "wfts",
};

static const char *const is_names[] = {"null", "not_null", "true", "false", "unknown"};

static void put_condition(sbuf *b, const rest_condition *c)
{
    if (c->negated)
        sbuf_puts(b, "not.");
    sbuf_puts(b, op_names[c->op]);
    if (c->quantifier == REST_QUANT_ANY)
        sbuf_puts(b, "(any)");
    if (c->quantifier == REST_QUANT_ALL)
        sbuf_puts(b, "(all)");
    if (c->language)
        sbuf_printf(b, "(%s)", c->language);
    sbuf_puts(b, ".");
    if (c->op == REST_OP_IS) {
        sbuf_puts(b, is_names[c->is_value]);
    } else if (c->op == REST_OP_IN) {
        for (size_t i = 0; i < c->list_count; i++)
            sbuf_printf(b, "<%s>", c->list[i]);
    } else {
        sbuf_puts(b, c->value);
    }
}

const char *tu_condition(const rest_condition *c)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_condition(&b, c);
    return b.data;
}

static void put_path(sbuf *b, const rest_embed_path *p)
{
    for (size_t i = 0; i < p->count; i++)
        sbuf_printf(b, "%s.", p->names[i]);
}

const char *tu_path(const rest_embed_path *p)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_path(&b, p);
    return b.data;
}

const char *tu_filter(const rest_filter *f)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_path(&b, &f->path);
    put_field(&b, &f->field);
    sbuf_puts(&b, "=");
    put_condition(&b, &f->cond);
    return b.data;
}

static void put_logic(sbuf *b, const rest_logic_node *n)
{
    if (n->is_condition) {
        put_field(b, &n->field);
        sbuf_puts(b, "=");
        put_condition(b, &n->cond);
        return;
    }
    sbuf_printf(b, "%s%s(", n->negated ? "not." : "", n->op == REST_LOGIC_AND ? "and" : "or");
    for (size_t i = 0; i < n->child_count; i++) {
        if (i)
            sbuf_puts(b, ",");
        put_logic(b, &n->children[i]);
    }
    sbuf_puts(b, ")");
}

const char *tu_logic(const rest_logic_node *n)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_logic(&b, n);
    return b.data;
}

const char *tu_order(const rest_order *o)
{
    sbuf b;
    sbuf_init(&b, tu_arena, 64);
    put_path(&b, &o->path);
    for (size_t i = 0; i < o->count; i++) {
        const rest_order_term *t = &o->terms[i];
        if (i)
            sbuf_puts(&b, ",");
        if (t->relation)
            sbuf_printf(&b, "%s(", t->relation);
        put_field(&b, &t->field);
        if (t->relation)
            sbuf_puts(&b, ")");
        if (t->dir != REST_ORDER_DEFAULT)
            sbuf_puts(&b, t->dir == REST_ORDER_ASC ? ".asc" : ".desc");
        if (t->nulls != REST_NULLS_DEFAULT)
            sbuf_puts(&b, t->nulls == REST_NULLS_FIRST ? ".nullsfirst" : ".nullslast");
    }
    return b.data;
}
