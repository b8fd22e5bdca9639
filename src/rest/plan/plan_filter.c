/* Filters and logic trees onto the nodes they address: each becomes a
 * child of its node's AND branch. A filter "rel=is.null" / "rel=not.is.null"
 * on an embedding's name (not a column) keeps the parents without / with a
 * match, as PostgREST's null filtering on embedded resources does. */
#include "rest/plan/plan_internal.h"

#include <string.h>

/* "rel=[not.]is.[not_]null" where rel is an embedding: sets its presence. */
static bool embed_presence(plan_node *node, const rest_filter *f)
{
    const rest_condition *c = &f->cond;
    if (f->field.json_path_len || c->op != REST_OP_IS ||
        (c->is_value != REST_IS_NULL && c->is_value != REST_IS_NOT_NULL))
        return false;
    if (rest_relation_column(node->rel, f->field.column, NULL))
        return false;
    plan_node *child = rest_plan_child(node, f->field.column);
    if (!child)
        return false;
    bool wants_null = (c->is_value == REST_IS_NULL) != c->negated;
    child->presence = wants_null ? PLAN_PRESENCE_ABSENT : PLAN_PRESENCE_REQUIRED;
    return true;
}

static bool plan_logic_node(plan_ctx *ctx, const plan_node *node, const rest_logic_node *in,
                            plan_logic *out)
{
    out->is_condition = in->is_condition;
    if (in->is_condition) {
        out->cond.cond = &in->cond;
        return rest_plan_resolve_field(ctx, node, &in->field, &out->cond.field);
    }
    out->negated = in->negated;
    out->op = in->op;
    out->child_count = in->child_count;
    out->children = arena_zalloc(ctx->arena, (in->child_count + 1) * sizeof(plan_logic));
    for (size_t i = 0; i < in->child_count; i++)
        if (!plan_logic_node(ctx, node, &in->children[i], &out->children[i]))
            return false;
    return true;
}

/* The AND branches being built, one per node (by node id). */
typedef struct where_lists {
    vec *lists;
    plan_node **nodes;
} where_lists;

static vec *where_of(where_lists *w, plan_node *node)
{
    w->nodes[node->id] = node;
    return &w->lists[node->id];
}

static bool add_filter(plan_ctx *ctx, plan_node *root, where_lists *w, const rest_filter *f)
{
    plan_node *node = rest_plan_find_node(ctx, root, &f->path);
    if (!node)
        return false;
    if (embed_presence(node, f))
        return true;
    plan_logic *leaf = vec_push(ctx->arena, where_of(w, node), sizeof(plan_logic));
    leaf->is_condition = true;
    leaf->cond.cond = &f->cond;
    return rest_plan_resolve_field(ctx, node, &f->field, &leaf->cond.field);
}

static bool add_tree(plan_ctx *ctx, plan_node *root, where_lists *w, const rest_logic_tree *t)
{
    plan_node *node = rest_plan_find_node(ctx, root, &t->path);
    if (!node)
        return false;
    plan_logic *branch = vec_push(ctx->arena, where_of(w, node), sizeof(plan_logic));
    return plan_logic_node(ctx, node, &t->root, branch);
}

bool rest_plan_filters(plan_ctx *ctx, plan_node *root, const rest_request *req)
{
    size_t n = ctx->next_id;
    where_lists w = {arena_zalloc(ctx->arena, (n + 1) * sizeof(vec)),
                     arena_zalloc(ctx->arena, (n + 1) * sizeof(plan_node *))};
    for (size_t i = 0; i < req->filter_count; i++)
        if (!add_filter(ctx, root, &w, &req->filters[i]))
            return false;
    for (size_t i = 0; i < req->logic_count; i++)
        if (!add_tree(ctx, root, &w, &req->logic[i]))
            return false;
    for (size_t id = 0; id < n; id++) {
        if (!w.nodes[id])
            continue;
        w.nodes[id]->where.op = REST_LOGIC_AND;
        w.nodes[id]->where.children = w.lists[id].items;
        w.nodes[id]->where.child_count = w.lists[id].count;
    }
    return true;
}
