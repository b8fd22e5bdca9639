/* rest_plan_rpc: the overload (plan_rpc_match.c), the volatility check for
 * GET/HEAD, the binding of the arguments, the relation the result is
 * planned over, then the read planner's select, filters, order and paging
 * on it; see plan_rpc.h. */
#include "rest/plan/plan_internal.h"
#include "rest/plan/plan_rpc.h"

#include "core/json_text.h"

#include <string.h>

static bool is_read(const rest_request *req)
{
    return req->method == REST_GET || req->method == REST_HEAD;
}

static bool fail_volatile(plan_ctx *ctx, const rest_request *req, const rest_function *f)
{
    return rest_error_set(ctx->err, ctx->arena, 405, "PGRST101",
                          arena_printf(ctx->arena,
                                       "%s.%s is VOLATILE; only STABLE and IMMUTABLE functions can "
                                       "be called with GET or HEAD.",
                                       f->schema, f->name),
                          "Call it with POST.", "Cannot use the %s method on RPC",
                          req->method == REST_HEAD ? "HEAD" : "GET");
}

/* ---- arguments ------------------------------------------------------------ */

/* The query arguments as a JSON object of strings; a VARIADIC argument
 * given several times becomes an array, any other keeps its last value. */
static const char *query_payload(arena *a, const rest_function *f, const rest_request *req)
{
    json_object *obj = json_arena_owned(a, json_object_new_object());
    for (size_t i = 0; i < req->rpc_arg_count; i++) {
        const rest_rpc_arg *arg = &req->rpc_args[i];
        json_object *value = json_object_new_string(arg->value);
        bool variadic = false;
        for (size_t j = 0; j < f->arg_count; j++)
            if (f->args[j].mode == 'v' && strcmp(f->args[j].name, arg->name) == 0)
                variadic = true;
        json_object *list;
        if (variadic && !json_object_object_get_ex(obj, arg->name, &list)) {
            list = json_object_new_array();
            json_object_object_add(obj, arg->name, list);
        }
        if (variadic)
            json_object_array_add(list, value);
        else
            json_object_object_add(obj, arg->name, value);
    }
    return json_text(a, obj);
}

static bool given(const rest_rpc_args *args, const char *name)
{
    for (size_t i = 0; i < args->key_count; i++)
        if (strcmp(args->keys[i], name) == 0)
            return true;
    return false;
}

/* The input argument that takes the whole payload (the only one). */
static const rest_func_arg *only_input(const rest_function *f)
{
    for (size_t i = 0; i < f->arg_count; i++)
        if (rest_func_arg_is_input(&f->args[i]))
            return &f->args[i];
    return NULL;
}

static void bind_arguments(plan_ctx *ctx, const rest_request *req, const rest_rpc_args *args,
                           bool whole, plan_call *call)
{
    const rest_function *f = call->fn;
    call->payload = args->payload ? args->payload : query_payload(ctx->arena, f, req);
    call->payload_type = "pg_catalog.json";
    if (whole) {
        call->whole = only_input(f);
        call->payload_type = call->whole->type;
        return;
    }
    call->named = arena_alloc(ctx->arena, (f->arg_count + 1) * sizeof(*call->named));
    for (size_t i = 0; i < f->arg_count; i++)
        if (rest_func_arg_is_input(&f->args[i]) && given(args, f->args[i].name))
            call->named[call->named_count++] = &f->args[i];
    if (call->named_count == 0)
        call->payload = NULL;
}

/* ---- the result as a relation ------------------------------------------- */

static rest_relation *new_relation(plan_ctx *ctx, const rest_function *f, size_t columns)
{
    rest_relation *r = arena_zalloc(ctx->arena, sizeof(*r));
    r->schema = f->schema;
    r->name = f->name;
    r->kind = REST_REL_VIEW;
    r->columns = arena_zalloc(ctx->arena, (columns + 1) * sizeof(rest_column));
    r->column_count = columns;
    return r;
}

static void set_column(rest_column *c, int attnum, const char *name, const char *type,
                       const char *type_name)
{
    *c = (rest_column){.name = name,
                       .attnum = attnum,
                       .type = type,
                       .type_name = type_name,
                       .category = 'X',
                       .nullable = true};
}

/* One column named after the function, of its return type. */
static const rest_relation *scalar_relation(plan_ctx *ctx, const rest_function *f)
{
    rest_relation *r = new_relation(ctx, f, 1);
    set_column(&r->columns[0], 1, f->name, f->return_type, f->return_type_name);
    return r;
}

/* The OUT, INOUT and TABLE arguments; none (unknown columns) for a
 * composite type the catalog does not describe. */
static const rest_relation *output_relation(plan_ctx *ctx, const rest_function *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->arg_count; i++)
        n += f->args[i].mode == 'o' || f->args[i].mode == 'b' || f->args[i].mode == 't';
    rest_relation *r = new_relation(ctx, f, n);
    n = 0;
    for (size_t i = 0; i < f->arg_count; i++) {
        const rest_func_arg *a = &f->args[i];
        if (a->mode == 'o' || a->mode == 'b' || a->mode == 't') {
            set_column(&r->columns[n], (int)n + 1, a->name, a->type, a->type_name);
            n++;
        }
    }
    return r;
}

static const rest_relation *result_relation(plan_ctx *ctx, plan_call *call)
{
    const rest_function *f = call->fn;
    call->scalar = !f->return_composite;
    if (strcmp(f->return_type, "pg_catalog.void") == 0)
        call->shape = PLAN_CALL_VOID;
    else if (f->returns_set)
        call->shape = PLAN_CALL_SET;
    else
        call->shape = call->scalar ? PLAN_CALL_SCALAR : PLAN_CALL_COMPOSITE;
    if (call->scalar)
        return scalar_relation(ctx, f);
    const rest_relation *rel =
        f->return_rel_oid ? rest_catalog_relation_by_oid(ctx->cat, f->return_rel_oid) : NULL;
    return rel ? rel : output_relation(ctx, f);
}

/* ---- the plan ------------------------------------------------------------ */

/* A value has no columns to choose: its one column is the output. */
static void plan_scalar_item(plan_ctx *ctx, plan_node *root)
{
    root->items = arena_zalloc(ctx->arena, sizeof(plan_item));
    root->item_count = 1;
    root->items[0].kind = PLAN_ITEM_COLUMN;
    root->items[0].name = root->rel->columns[0].name;
    root->items[0].field.column = &root->rel->columns[0];
}

bool rest_plan_rpc(arena *a, const rest_catalog *cat, const rest_request *req, const char *function,
                   const rest_rpc_args *args, rest_plan *out, rest_error *err)
{
    plan_ctx ctx = {
        .arena = a, .cat = cat, .schema = req->schema ? req->schema : "public", .err = err};
    bool whole = false;
    plan_call *call = arena_zalloc(a, sizeof(*call));
    call->fn = rest_rpc_match(a, cat, ctx.schema, function, args, req->prefer.params_single_object,
                              &whole, err);
    if (!call->fn)
        return false;
    if (is_read(req) && call->fn->volatility == 'v')
        return fail_volatile(&ctx, req, call->fn);
    bind_arguments(&ctx, req, args, whole, call);
    *out = (rest_plan){
        .media = req->media,
        .strip_nulls = req->strip_nulls,
        .count = req->prefer.count,
        .head = req->method == REST_HEAD,
    };
    plan_node *root = rest_plan_node_new(&ctx, result_relation(&ctx, call), call->fn->name, NULL);
    root->call = call;
    if (call->scalar)
        plan_scalar_item(&ctx, root);
    else if (!rest_plan_select_list(&ctx, root, &req->select))
        return false;
    if (!rest_plan_filters(&ctx, root, req) || !rest_plan_orders(&ctx, root, req) ||
        !rest_plan_paging(&ctx, root, req))
        return false;
    out->root = root;
    out->node_count = ctx.next_id;
    return true;
}
