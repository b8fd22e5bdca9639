/* rest_plan_read: the target relation, then the select tree, filters and
 * logic trees, order and paging, each resolved by its own file; see
 * plan.h. */
#include "rest/plan/plan_internal.h"

bool rest_plan_read(arena *a, const rest_catalog *cat, const rest_request *req, const char *table,
                    rest_plan *out, rest_error *err)
{
    plan_ctx ctx = {
        .arena = a, .cat = cat, .schema = req->schema ? req->schema : "public", .err = err};
    const rest_relation *rel = rest_catalog_relation(cat, ctx.schema, table);
    if (!rel)
        return rest_error_set(err, a, 404, "PGRST205", NULL, NULL,
                              "Could not find the table '%s.%s' in the schema cache", ctx.schema,
                              table);
    *out = (rest_plan){
        .media = req->media,
        .strip_nulls = req->strip_nulls,
        .count = req->prefer.count,
        .head = req->method == REST_HEAD,
    };
    plan_node *root = rest_plan_node_new(&ctx, rel, rel->name, NULL);
    if (!rest_plan_select_list(&ctx, root, &req->select) || !rest_plan_filters(&ctx, root, req) ||
        !rest_plan_orders(&ctx, root, req) || !rest_plan_paging(&ctx, root, req))
        return false;
    out->root = root;
    out->node_count = ctx.next_id;
    return true;
}
