/* The select tree of a node: '*', columns (output key: the alias, else the
 * last JSON key, else the column), casts, and embeddings, each resolved to
 * a relationship and planned recursively (the parser already bounded the
 * depth). A spread (...rel) needs a to-one relationship; an embedding with
 * an empty list (rel()) is planned but not output, for filtering. */
#include "rest/plan/plan_internal.h"

static bool plan_column(plan_ctx *ctx, plan_node *node, const rest_select_item *in, plan_item *out)
{
    out->kind = PLAN_ITEM_COLUMN;
    if (!rest_plan_resolve_field(ctx, node, &in->field, &out->field))
        return false;
    if (in->cast && !rest_plan_cast(ctx, in->cast, &out->cast))
        return false;
    if (in->alias)
        out->name = in->alias;
    else if (in->field.json_path_len)
        out->name = in->field.json_path[in->field.json_path_len - 1].key;
    else
        out->name = out->field.column->name;
    return true;
}

static bool fail_spread(plan_ctx *ctx, const plan_node *parent, const rest_relation *target)
{
    return rest_error_set(ctx->err, ctx->arena, 400, "PGRST119",
                          arena_printf(ctx->arena,
                                       "'%s' and '%s' do not form a many-to-one or one-to-one "
                                       "relationship",
                                       parent->rel->name, target->name),
                          NULL, "A spread operation on '%s' is not possible", target->name);
}

static bool plan_embed(plan_ctx *ctx, plan_node *node, const rest_select_item *in, plan_item *out)
{
    plan_join join;
    const rest_relation *target;
    if (!rest_plan_relationship(ctx, node, in, &join, &target))
        return false;
    bool spread = in->kind == REST_SELECT_SPREAD;
    if (spread && !join.to_one)
        return fail_spread(ctx, node, target);
    const char *name = in->alias ? in->alias : in->relation;
    plan_node *child = rest_plan_node_new(ctx, target, name, node);
    child->join = join;
    child->presence = in->join == REST_JOIN_INNER ? PLAN_PRESENCE_REQUIRED : PLAN_PRESENCE_ANY;
    out->kind = spread ? PLAN_ITEM_SPREAD : PLAN_ITEM_EMBED;
    out->name = name;
    out->node = child;
    return rest_plan_select_list(ctx, child, &in->children);
}

bool rest_plan_select_list(plan_ctx *ctx, plan_node *node, const rest_select_list *list)
{
    vec items = {0};
    node->items = NULL;
    node->item_count = 0;
    for (size_t i = 0; i < list->count; i++) {
        const rest_select_item *in = &list->items[i];
        plan_item *out = vec_push(ctx->arena, &items, sizeof(*out));
        bool ok = true;
        switch (in->kind) {
        case REST_SELECT_STAR:
            out->kind = PLAN_ITEM_STAR;
            break;
        case REST_SELECT_COLUMN:
            ok = plan_column(ctx, node, in, out);
            break;
        case REST_SELECT_EMBED:
        case REST_SELECT_SPREAD:
            ok = plan_embed(ctx, node, in, out);
            break;
        }
        if (!ok)
            return false;
        /* later items (and the path lookups of filters) see the earlier ones */
        node->items = items.items;
        node->item_count = items.count;
    }
    return true;
}
