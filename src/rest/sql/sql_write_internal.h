/* Internals shared by the sql_write*.c files. The written relation is
 * aliased _m, the rows of the body _b (and their JSON objects _e.v when a
 * column falls back to its default row by row). */
#ifndef PGSTACK_REST_SQL_WRITE_INTERNAL_H
#define PGSTACK_REST_SQL_WRITE_INTERNAL_H

#include "rest/sql/sql_internal.h"
#include "rest/sql/sql_write.h"

#define SQL_WRITE_TARGET "_m"
#define SQL_WRITE_ROWS "_b"

/* sql_write_insert.c: insert into ... select ... [on conflict ...] */
void rest_sql_put_insert(sql_gen *g, const rest_write_plan *p);

/* sql_write_change.c: update ... set ... / delete from ..., both with the
 * root's filters, or the rows a limited subquery picks. The update sets at
 * least one column. */
void rest_sql_put_update(sql_gen *g, const rest_write_plan *p);
void rest_sql_put_delete(sql_gen *g, const rest_write_plan *p);

/* sql_write_body.c: the body's JSON array as the parameter: "$n::pg_catalog.json". */
void rest_sql_put_body_param(sql_gen *g, const rest_write_plan *p);
/* The columns whose value comes from the body, and the record type of the
 * rows over them: " as _b("c" type, ...)" (nothing when there are none). */
size_t rest_sql_body_column_count(const rest_write_plan *p);
void rest_sql_put_row_type(sql_gen *g, const rest_write_plan *p);

#endif
