/* Plan nodes: creation, and finding the node an embed path ("clients",
 * "clients.projects") addresses by the names of the embeddings in the
 * select tree. */
#include "rest/plan/plan_internal.h"

#include <string.h>

plan_node *rest_plan_node_new(plan_ctx *ctx, const rest_relation *rel, const char *name,
                              plan_node *parent)
{
    plan_node *n = arena_zalloc(ctx->arena, sizeof(*n));
    n->rel = rel;
    n->name = name;
    n->id = ctx->next_id++;
    n->parent = parent;
    n->limit = REST_NO_LIMIT;
    n->where.op = REST_LOGIC_AND;
    return n;
}

plan_node *rest_plan_child(const plan_node *node, const char *name)
{
    for (size_t i = 0; i < node->item_count; i++) {
        const plan_item *it = &node->items[i];
        if ((it->kind == PLAN_ITEM_EMBED || it->kind == PLAN_ITEM_SPREAD) &&
            strcmp(it->node->name, name) == 0)
            return it->node;
    }
    return NULL;
}

plan_node *rest_plan_find_node(plan_ctx *ctx, plan_node *root, const rest_embed_path *path)
{
    plan_node *node = root;
    for (size_t i = 0; i < path->count; i++) {
        plan_node *child = rest_plan_child(node, path->names[i]);
        if (!child) {
            rest_error_set(ctx->err, ctx->arena, 400, "PGRST108", NULL,
                           arena_printf(ctx->arena,
                                        "Verify that '%s' is included in the 'select' query "
                                        "parameter.",
                                        path->names[i]),
                           "'%s' is not an embedded resource in this request", path->names[i]);
            return NULL;
        }
        node = child;
    }
    return node;
}
