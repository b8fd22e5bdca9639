/* Internals shared by the plan_*.c files of the REST planner: the planning
 * context, node lookup by embed path, field and cast resolution, and the
 * per-stage entry points (one file each). */
#ifndef PGSTACK_REST_PLAN_INTERNAL_H
#define PGSTACK_REST_PLAN_INTERNAL_H

#include "core/vec.h"
#include "rest/plan/plan.h"

typedef struct plan_ctx {
    arena *arena;
    const rest_catalog *cat;
    const char *schema;
    rest_error *err;
    size_t next_id;
} plan_ctx;

/* ---- plan_field.c -------------------------------------------------------- */

/* The column of node's relation named by f, with f's JSON path; 400 42703
 * when there is none. */
bool rest_plan_resolve_field(plan_ctx *ctx, const plan_node *node, const rest_field *f,
                             plan_field *out);
/* "column t.c does not exist" (400 42703). */
bool rest_plan_fail_column(plan_ctx *ctx, const rest_relation *rel, const char *column);
/* The SQL text of a select cast (a known type name, or a quoted single
 * identifier); 400 PGRST100 for anything else. */
bool rest_plan_cast(plan_ctx *ctx, const char *cast, const char **out);

/* ---- plan_node.c --------------------------------------------------------- */

plan_node *rest_plan_node_new(plan_ctx *ctx, const rest_relation *rel, const char *name,
                              plan_node *parent);
/* The embedded child of node called name (alias or relation), or NULL. */
plan_node *rest_plan_child(const plan_node *node, const char *name);
/* The node an embed path addresses; 400 PGRST108 when it is not embedded. */
plan_node *rest_plan_find_node(plan_ctx *ctx, plan_node *root, const rest_embed_path *path);

/* ---- the stages ---------------------------------------------------------- */

/* plan_select.c: the select tree of node (and its embeddings). */
bool rest_plan_select_list(plan_ctx *ctx, plan_node *node, const rest_select_list *list);

/* plan_embed.c: the relationship for embedding item under parent. */
bool rest_plan_relationship(plan_ctx *ctx, const plan_node *parent, const rest_select_item *item,
                            plan_join *join, const rest_relation **target);

/* plan_filter.c: filters and logic trees onto their nodes. */
bool rest_plan_filters(plan_ctx *ctx, plan_node *root, const rest_request *req);

/* plan_order.c: order, limit and offset onto their nodes. */
bool rest_plan_orders(plan_ctx *ctx, plan_node *root, const rest_request *req);
bool rest_plan_paging(plan_ctx *ctx, plan_node *root, const rest_request *req);

#endif
