/* POST /api/sql (development only, ENABLE_SQL_ENDPOINT=true, else 404):
 * {"query": "<one SQL statement>"} run in one transaction as service_role
 * with the statement timeout; the rows as a JSON array (numbers, booleans
 * and json values typed, everything else text; [] for a statement without
 * rows); an error as JSON with its SQLSTATE in "code". Session settings the
 * statement changes are reset before the connection serves anyone else. */
#ifndef PGSTACK_API_DEV_SQL_H
#define PGSTACK_API_DEV_SQL_H

#include "core/request.h"
#include "core/response.h"

#include <libpq-fe.h>

void api_dev_sql_handle(request *req, response *res);

/* The rows of a result as a JSON array text (in the arena). */
const char *api_rows_json(arena *a, PGresult *r);

#endif
