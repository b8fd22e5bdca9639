/* rest_parse_request: sorts the query parameters into the model of a REST
 * request and reads the headers the parser cares about.
 *   select, columns, on_conflict        reserved (root only, once each)
 *   [path.]order | limit | offset       reserved, once per path
 *   [path.][not.]and | or               logic trees, several per path
 *   anything else                       a filter [path.]col[->json]=op.value,
 *                                       or, for RPC over GET/HEAD, a function
 *                                       argument when the key is a plain name
 *                                       and the value is no op.value
 * A reserved word written in quotes ("order"=eq.1) is a column name. */
#include "rest/parse/parse_internal.h"

#include <string.h>

/* Which of limit= / offset= a path already had. */
typedef struct page_seen {
    bool limit, offset;
} page_seen;

typedef struct request_builder {
    parse_ctx ctx;
    const rest_parse_input *in;
    rest_request *out;
    vec filters, logic, orders, rpc_args;
    vec pages, pages_seen; /* embedded paging, and its page_seen in step */
    page_seen root_seen;
    bool seen_select;
} request_builder;

rest_limits rest_limits_default(void)
{
    rest_limits l = {
        .max_embed_depth = 16,
        .max_logic_depth = 16,
        .max_filters = 1000,
        .max_select_length = 65536,
    };
    return l;
}

bool rest_method_from_name(const char *name, rest_method *out)
{
    static const struct {
        const char *name;
        rest_method method;
    } methods[] = {
        {"GET", REST_GET},     {"HEAD", REST_HEAD}, {"POST", REST_POST},
        {"PATCH", REST_PATCH}, {"PUT", REST_PUT},   {"DELETE", REST_DELETE},
    };
    for (size_t i = 0; name && i < sizeof methods / sizeof *methods; i++)
        if (strcmp(methods[i].name, name) == 0) {
            *out = methods[i].method;
            return true;
        }
    return false;
}

static rest_limits clamp_limits(const rest_limits *l)
{
    rest_limits c = l ? *l : rest_limits_default();
    if (c.max_embed_depth > REST_PARSE_MAX_DEPTH)
        c.max_embed_depth = REST_PARSE_MAX_DEPTH;
    if (c.max_logic_depth > REST_PARSE_MAX_DEPTH)
        c.max_logic_depth = REST_PARSE_MAX_DEPTH;
    return c;
}

static bool fail_duplicate(request_builder *b, const char *key)
{
    const char *shown = rest_excerpt(b->ctx.arena, key);
    return rest_fail(&b->ctx, 400, "PGRST100", shown, "Give each of these parameters once.",
                     "duplicate parameter '%s'", shown);
}

static bool same_path(const rest_embed_path *x, const rest_embed_path *y)
{
    if (x->count != y->count)
        return false;
    for (size_t i = 0; i < x->count; i++)
        if (strcmp(x->names[i], y->names[i]) != 0)
            return false;
    return true;
}

/* ---- reserved parameters ------------------------------------------------ */

static bool handle_order(request_builder *b, const char *key, const char *value,
                         rest_embed_path path)
{
    rest_order *orders = b->orders.items;
    for (size_t i = 0; i < b->orders.count; i++)
        if (same_path(&orders[i].path, &path))
            return fail_duplicate(b, key);
    rest_order *order = vec_push(b->ctx.arena, &b->orders, sizeof(*order));
    order->path = path;
    return rest_parse_order_value(&b->ctx, key, value, order);
}

/* The paging entry of an embed path, created on first use. */
static rest_paging *embed_paging(request_builder *b, rest_embed_path path, page_seen **seen)
{
    rest_paging *pages = b->pages.items;
    for (size_t i = 0; i < b->pages.count; i++)
        if (same_path(&pages[i].path, &path)) {
            *seen = (page_seen *)b->pages_seen.items + i;
            return &pages[i];
        }
    rest_paging *page = vec_push(b->ctx.arena, &b->pages, sizeof(*page));
    page->path = path;
    page->limit = REST_NO_LIMIT;
    *seen = vec_push(b->ctx.arena, &b->pages_seen, sizeof(page_seen));
    return page;
}

static bool handle_paging(request_builder *b, const char *key, const char *value,
                          rest_embed_path path, bool is_limit)
{
    rest_paging *page = &b->out->paging;
    page_seen *seen = &b->root_seen;
    if (path.count > 0)
        page = embed_paging(b, path, &seen);
    bool *flag = is_limit ? &seen->limit : &seen->offset;
    if (*flag)
        return fail_duplicate(b, key);
    *flag = true;
    return rest_parse_page_number(&b->ctx, key, value, is_limit,
                                  is_limit ? &page->limit : &page->offset);
}

static bool handle_logic(request_builder *b, const param_key *k, const char *key, const char *value)
{
    bool negated = rest_param_key_ends_with(k, 1, "not");
    rest_logic_op op = strcmp(k->names[k->count - 1], "and") == 0 ? REST_LOGIC_AND : REST_LOGIC_OR;
    rest_logic_tree *tree = vec_push(b->ctx.arena, &b->logic, sizeof(*tree));
    tree->path = rest_param_key_path(k, k->count - 1 - (negated ? 1 : 0));
    return rest_parse_logic_value(&b->ctx, key, value, negated, op, &tree->root);
}

static bool handle_root_reserved(request_builder *b, const char *key, const char *value)
{
    rest_request *out = b->out;
    if (strcmp(key, "select") == 0) {
        if (b->seen_select)
            return fail_duplicate(b, key);
        b->seen_select = true;
        return rest_parse_select_param(&b->ctx, value, &out->select);
    }
    if (strcmp(key, "columns") == 0) {
        if (out->has_columns)
            return fail_duplicate(b, key);
        out->has_columns = true;
        return rest_parse_column_list(&b->ctx, key, value, &out->columns);
    }
    if (out->has_on_conflict)
        return fail_duplicate(b, key);
    out->has_on_conflict = true;
    return rest_parse_column_list(&b->ctx, key, value, &out->on_conflict);
}

/* ---- filters and RPC arguments ----------------------------------------- */

static bool is_rpc_read(const rest_parse_input *in)
{
    return in->is_rpc && (in->method == REST_GET || in->method == REST_HEAD);
}

/* RPC over GET/HEAD: a plain name whose value is no op.value is a function
 * argument (PostgREST's rule); anything else stays a filter. */
static bool take_as_rpc_arg(request_builder *b, const param_key *k, const char *value)
{
    if (!is_rpc_read(b->in) || k->count != 1 || k->last.json_path_len != 0)
        return false;
    rest_parse_error ignored_err;
    rest_condition ignored_cond = {0};
    parse_ctx probe = b->ctx;
    probe.err = &ignored_err;
    if (rest_parse_filter_value(&probe, k->names[0], value, &ignored_cond))
        return false;
    rest_rpc_arg *arg = vec_push(b->ctx.arena, &b->rpc_args, sizeof(*arg));
    arg->name = k->names[0];
    arg->value = value;
    return true;
}

static bool handle_filter(request_builder *b, const param_key *k, const char *key,
                          const char *value)
{
    if (take_as_rpc_arg(b, k, value))
        return true;
    if (!rest_count_filter(&b->ctx))
        return false;
    rest_filter *f = vec_push(b->ctx.arena, &b->filters, sizeof(*f));
    f->path = rest_param_key_path(k, k->count - 1);
    f->field = k->last;
    return rest_parse_filter_value(&b->ctx, key, value, &f->cond);
}

/* ---- dispatch ----------------------------------------------------------- */

static bool is_ignored(const rest_parse_input *in, const char *key)
{
    for (size_t i = 0; i < in->ignored_count; i++)
        if (strcmp(in->ignored_params[i], key) == 0)
            return true;
    return false;
}

static bool handle_param(request_builder *b, const query_param *p)
{
    const char *key = p->key, *value = p->value ? p->value : "";
    if (is_ignored(b->in, key))
        return true;
    if (strcmp(key, "select") == 0 || strcmp(key, "columns") == 0 ||
        strcmp(key, "on_conflict") == 0)
        return handle_root_reserved(b, key, value);
    param_key k;
    if (!rest_parse_param_key(&b->ctx, key, &k))
        return false;
    if (k.last.json_path_len == 0) {
        rest_embed_path path = rest_param_key_path(&k, k.count - 1);
        bool paging_or_order = rest_param_key_ends_with(&k, 0, "order") ||
                               rest_param_key_ends_with(&k, 0, "limit") ||
                               rest_param_key_ends_with(&k, 0, "offset");
        if (paging_or_order && path.count > 0 && !rest_count_filter(&b->ctx))
            return false;
        if (rest_param_key_ends_with(&k, 0, "order"))
            return handle_order(b, key, value, path);
        if (rest_param_key_ends_with(&k, 0, "limit"))
            return handle_paging(b, key, value, path, true);
        if (rest_param_key_ends_with(&k, 0, "offset"))
            return handle_paging(b, key, value, path, false);
        if (rest_param_key_ends_with(&k, 0, "and") || rest_param_key_ends_with(&k, 0, "or"))
            return handle_logic(b, &k, key, value);
    }
    return handle_filter(b, &k, key, value);
}

static bool parse_query(request_builder *b)
{
    const query_params *q = b->in->query;
    for (size_t i = 0; q && i < q->count; i++)
        if (!handle_param(b, &q->items[i]))
            return false;
    return true;
}

static void finish_lists(request_builder *b)
{
    rest_request *out = b->out;
    if (!b->seen_select) {
        out->select.items = arena_zalloc(b->ctx.arena, sizeof(rest_select_item));
        out->select.items[0].kind = REST_SELECT_STAR;
        out->select.count = 1;
    }
    out->filters = b->filters.items;
    out->filter_count = b->filters.count;
    out->logic = b->logic.items;
    out->logic_count = b->logic.count;
    out->orders = b->orders.items;
    out->order_count = b->orders.count;
    out->embed_pages = b->pages.items;
    out->embed_page_count = b->pages.count;
    out->rpc_args = b->rpc_args.items;
    out->rpc_arg_count = b->rpc_args.count;
}

bool rest_parse_request(arena *a, const rest_parse_input *in, const rest_limits *limits,
                        rest_request *out, rest_parse_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    request_builder b = {
        .ctx = {.arena = a, .err = err, .limits = clamp_limits(limits)}, .in = in, .out = out};
    out->method = in->method;
    out->is_rpc = in->is_rpc;
    out->paging.limit = REST_NO_LIMIT;
    if (!parse_query(&b))
        return false;
    finish_lists(&b);
    return rest_choose_schema(&b.ctx, in, &out->schema) &&
           rest_parse_prefer_header(&b.ctx, in->prefer, &out->prefer) &&
           rest_apply_range_header(&b.ctx, in, &out->paging, &out->range_header_used) &&
           rest_parse_accept_header(&b.ctx, in->accept, &out->media, &out->strip_nulls);
}
