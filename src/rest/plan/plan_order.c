/* order=, limit= and offset= onto the nodes they address. An order term
 * "rel(col)" sorts by a column of a to-one embedding of the node (400
 * PGRST118 for a to-many one). limit/offset of a to-one embedding are
 * meaningless and ignored, as in PostgREST. */
#include "rest/plan/plan_internal.h"

static bool related_term(plan_ctx *ctx, plan_node *node, const rest_order_term *in,
                         plan_order_term *out)
{
    plan_node *child = rest_plan_child(node, in->relation);
    if (!child)
        return rest_error_set(ctx->err, ctx->arena, 400, "PGRST108", NULL,
                              arena_printf(ctx->arena,
                                           "Verify that '%s' is included in the 'select' query "
                                           "parameter.",
                                           in->relation),
                              "'%s' is not an embedded resource in this request", in->relation);
    if (!child->join.to_one)
        return rest_error_set(ctx->err, ctx->arena, 400, "PGRST118",
                              arena_printf(ctx->arena,
                                           "'%s' and '%s' do not form a many-to-one or one-to-one "
                                           "relationship",
                                           node->rel->name, child->rel->name),
                              NULL, "A related order on '%s' is not possible", in->relation);
    out->embed = child;
    return rest_plan_resolve_field(ctx, child, &in->field, &out->field);
}

static bool plan_order(plan_ctx *ctx, plan_node *root, const rest_order *in)
{
    plan_node *node = rest_plan_find_node(ctx, root, &in->path);
    if (!node)
        return false;
    node->order = arena_zalloc(ctx->arena, (in->count + 1) * sizeof(plan_order_term));
    node->order_count = in->count;
    for (size_t i = 0; i < in->count; i++) {
        const rest_order_term *t = &in->terms[i];
        plan_order_term *out = &node->order[i];
        out->dir = t->dir;
        out->nulls = t->nulls;
        bool ok = t->relation ? related_term(ctx, node, t, out)
                              : rest_plan_resolve_field(ctx, node, &t->field, &out->field);
        if (!ok)
            return false;
    }
    return true;
}

bool rest_plan_orders(plan_ctx *ctx, plan_node *root, const rest_request *req)
{
    for (size_t i = 0; i < req->order_count; i++)
        if (!plan_order(ctx, root, &req->orders[i]))
            return false;
    return true;
}

bool rest_plan_paging(plan_ctx *ctx, plan_node *root, const rest_request *req)
{
    root->limit = req->paging.limit;
    root->offset = req->paging.offset;
    for (size_t i = 0; i < req->embed_page_count; i++) {
        const rest_paging *p = &req->embed_pages[i];
        plan_node *node = rest_plan_find_node(ctx, root, &p->path);
        if (!node)
            return false;
        if (node->join.to_one)
            continue;
        node->limit = p->limit;
        node->offset = p->offset;
    }
    return true;
}
