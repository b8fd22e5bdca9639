/* Internals shared by the plan_write*.c files: the parts of a write plan
 * that come from column names (rest_plan_write_columns.c). */
#ifndef PGSTACK_REST_PLAN_WRITE_INTERNAL_H
#define PGSTACK_REST_PLAN_WRITE_INTERNAL_H

#include "rest/plan/plan_write.h"

/* The written columns from the body's keys or columns=; 400 PGRST102 for
 * rows with different keys (without columns=), 400 PGRST204 for a name
 * that is no column. */
bool rest_plan_write_columns(arena *a, const rest_request *req, rest_write_plan *p,
                             rest_error *err);

/* The ON CONFLICT target of a POST: on_conflict= or the primary key
 * (without either, a plain insert). */
bool rest_plan_write_conflict(arena *a, const rest_request *req, rest_write_plan *p,
                              rest_error *err);

/* The columns the reply needs back (returning_all, returning, location). */
void rest_plan_write_returning(arena *a, rest_write_plan *p);

/* "Could not find the 'col' column of 'table' in the schema cache" (400
 * PGRST204). */
bool rest_plan_write_fail_column(arena *a, const rest_relation *rel, const char *name,
                                 rest_error *err);

#endif
