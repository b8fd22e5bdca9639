/* Third stage of the REST engine: a plan turned into SQL text and its bind
 * parameters. Identifiers come from the catalog and are quoted; every
 * client value (filter values, JSON keys, limits) is a parameter cast to
 * the type it is compared with, so a value that does not fit is the
 * database's 22P02 (400), never SQL. PostgreSQL renders the JSON (json_agg,
 * row_to_json) and CSV; embeddings are lateral subqueries. Equal request
 * shapes give equal SQL text, so prepared statements are reused. */
#ifndef PGSTACK_REST_SQL_H
#define PGSTACK_REST_SQL_H

#include "rest/plan/plan.h"

typedef struct rest_statement {
    const char *sql; /* NULL: no statement */
    const char *const *params;
    int param_count;
} rest_statement;

/* Estimated counts are exact up to this many rows, planned beyond. */
#define REST_ESTIMATE_EXACT_LIMIT 1000

/* The statements of a read:
 *   main     one row: total (int8; NULL without an exact or estimated
 *            count; estimated: capped at REST_ESTIMATE_EXACT_LIMIT + 1),
 *            page_total (int8), body (text: JSON array, the object's JSON,
 *            CSV rows without the header line; NULL for HEAD)
 *   explain  count=planned/estimated: EXPLAIN (FORMAT JSON) of the
 *            counting query, whose top "Plan Rows" is the planned count */
typedef struct rest_read_sql {
    rest_statement main;
    rest_statement explain;
    const char *csv_header; /* text/csv: the header line, without newline */
} rest_read_sql;

void rest_sql_read(arena *a, const rest_plan *plan, rest_read_sql *out);

#endif
