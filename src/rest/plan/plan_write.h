/* Second stage of the REST engine for writes (POST, PATCH, PUT, DELETE):
 * the parsed request and its body resolved against the schema catalog.
 * The read plan of the same request (plan.h) carries what reads and writes
 * share: the target relation, the select tree of the representation, the
 * root's filters and logic trees (the rows a PATCH/DELETE/PUT touches),
 * order and paging (a limited PATCH/DELETE), the media type. On top of it
 * come the written columns (from the body's keys, or columns=), the
 * ON CONFLICT target of an upsert and the columns the reply needs back.
 * Failures are PostgREST's (PGRST102 body, PGRST204 unknown column,
 * PGRST105/114/115 PUT) plus 400 21000 for a PATCH or DELETE without a
 * filter, as pg-safeupdate answers on Supabase. */
#ifndef PGSTACK_REST_PLAN_WRITE_H
#define PGSTACK_REST_PLAN_WRITE_H

#include "rest/parse/body.h"
#include "rest/plan/plan.h"

typedef enum plan_write_kind {
    PLAN_WRITE_INSERT, /* POST, PUT */
    PLAN_WRITE_UPDATE, /* PATCH */
    PLAN_WRITE_DELETE,
} plan_write_kind;

/* Where a written column's value comes from. */
typedef enum plan_value {
    PLAN_VALUE_BODY,            /* the row's key; NULL in a row without it */
    PLAN_VALUE_BODY_OR_DEFAULT, /* insert, missing=default: the key, else the column default */
    PLAN_VALUE_DEFAULT,         /* update, missing=default, key absent: DEFAULT */
} plan_value;

typedef struct plan_write_column {
    const rest_column *column;
    plan_value value;
} plan_write_column;

typedef struct rest_write_plan {
    plan_write_kind kind;
    bool put; /* PUT: one row, kept only when it matches the key filters, merged */
    const rest_relation *rel;
    const rest_body *body;      /* NULL for DELETE */
    plan_write_column *columns; /* written columns, in the relation's order */
    size_t column_count;
    /* insert: ON CONFLICT (conflict) DO UPDATE (merge) / DO NOTHING (ignore) */
    rest_prefer_resolution resolution; /* UNSET: a plain insert */
    const rest_column **conflict;
    size_t conflict_count;
    /* update, delete with limit/offset: the rows are picked by a subquery
     * with the root's filters, order and paging, and matched by row_key
     * (the primary key; none: ctid) */
    bool limited;
    const rest_column **row_key;
    size_t row_key_count;
    /* the reply */
    rest_prefer_return return_;   /* MINIMAL, REPRESENTATION or HEADERS_ONLY (POST) */
    rest_plan read;               /* select tree, root order, media of the representation */
    bool returning_all;           /* the representation needs every column */
    const bool *returning;        /* else per column of rel: needed back (NULL: none) */
    const rest_column **location; /* HEADERS_ONLY: the primary key, for Location */
    size_t location_count;
} rest_write_plan;

/* Plans a write to schema.table (schema: req->schema); body is NULL for
 * DELETE. */
bool rest_plan_write(arena *a, const rest_catalog *cat, const rest_request *req,
                     const rest_body *body, const char *table, rest_write_plan *out,
                     rest_error *err);

#endif
