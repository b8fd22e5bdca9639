/* Second stage of the REST engine: the parsed request (model.h) resolved
 * against the schema catalog into a plan for reading. Every name is now a
 * catalog object: the target relation, columns, relationships of the
 * embedded resources (many-to-one, one-to-one, one-to-many, many-to-many
 * through a junction). Filters, logic trees, order and paging are attached
 * to the node (root or embedding) they address. Failures are PostgREST's:
 * unknown relation 404 PGRST205, unknown column 400 42703, no relationship
 * 400 PGRST200, ambiguous relationship 300 PGRST201, filter on something
 * not embedded 400 PGRST108, ... Plain data in the request arena; values
 * stay the parser's text for the SQL generator to bind. */
#ifndef PGSTACK_REST_PLAN_H
#define PGSTACK_REST_PLAN_H

#include "rest/catalog/catalog.h"
#include "rest/error.h"
#include "rest/model.h"

#include <stdbool.h>
#include <stddef.h>

/* A column of the node's relation, maybe followed by a JSON path. */
typedef struct plan_field {
    const rest_column *column;
    const rest_json_step *path;
    size_t path_len;
} plan_field;

struct plan_node;

/* A filter leaf: field op value, or "embedding is [not] null". */
typedef struct plan_cond {
    plan_field field;
    const rest_condition *cond;
} plan_cond;

typedef struct plan_logic {
    bool is_condition;
    plan_cond cond;   /* leaf */
    bool negated;     /* branch */
    rest_logic_op op; /* branch */
    struct plan_logic *children;
    size_t child_count;
} plan_logic;

typedef struct plan_order_term {
    plan_field field;
    const struct plan_node *embed; /* "rel(col)": a to-one embedding's column */
    rest_order_dir dir;
    rest_nulls_order nulls;
} plan_order_term;

typedef enum plan_item_kind {
    PLAN_ITEM_STAR,   /* every column */
    PLAN_ITEM_COLUMN, /* a column, JSON path, cast */
    PLAN_ITEM_EMBED,  /* an embedded resource under its name */
    PLAN_ITEM_SPREAD, /* ...rel(cols): a to-one embedding's columns inline */
} plan_item_kind;

typedef struct plan_item {
    plan_item_kind kind;
    const char *name;       /* output key: COLUMN, EMBED */
    plan_field field;       /* COLUMN */
    const char *cast;       /* COLUMN: SQL type text, or NULL */
    struct plan_node *node; /* EMBED, SPREAD */
} plan_item;

/* How an embedded node joins its parent. */
typedef enum plan_card {
    PLAN_MANY_TO_ONE, /* fk from parent to child */
    PLAN_ONE_TO_ONE,  /* fk from child to parent on a key of the child, or to-one forward */
    PLAN_ONE_TO_MANY, /* fk from child to parent */
    PLAN_MANY_TO_MANY,
} plan_card;

typedef struct plan_join {
    plan_card card;
    bool to_one;
    const rest_fk *fk;             /* direct: the fk; M2M: junction -> parent */
    bool fk_from_parent;           /* direct: fk.from is the parent */
    const rest_relation *junction; /* M2M */
    const rest_fk *junction_fk;    /* M2M: junction -> child */
} plan_join;

/* Filtering parents by an embedding: !inner or rel=not.is.null keep those
 * that have a match, rel=is.null those that have none. */
typedef enum plan_presence {
    PLAN_PRESENCE_ANY,
    PLAN_PRESENCE_REQUIRED,
    PLAN_PRESENCE_ABSENT,
} plan_presence;

struct plan_call; /* plan_rpc.h */

typedef struct plan_node {
    const rest_relation *rel;
    const char *name; /* alias or relation name: how filters address it; JSON key */
    size_t id;        /* unique in the plan, for SQL aliases */
    plan_item *items;
    size_t item_count;
    plan_logic where; /* an AND branch of filters and logic trees */
    plan_order_term *order;
    size_t order_count;
    long long limit; /* REST_NO_LIMIT when none */
    long long offset;
    /* embedded nodes */
    struct plan_node *parent;
    plan_join join;
    plan_presence presence;
    /* root of an RPC: the rows are the result of this call (plan_rpc.h) */
    const struct plan_call *call;
} plan_node;

typedef struct rest_plan {
    plan_node *root;
    size_t node_count;
    rest_media media;
    bool strip_nulls;
    rest_prefer_count count;
    bool head; /* HEAD: no body needed */
} rest_plan;

/* Resolves a GET/HEAD of schema.table (schema: req->schema). */
bool rest_plan_read(arena *a, const rest_catalog *cat, const rest_request *req, const char *table,
                    rest_plan *out, rest_error *err);

#endif
