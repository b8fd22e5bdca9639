/* The database runtime ("plv8" in the list): a function
 * schema.fn(request jsonb) returns jsonb, called in one transaction as the
 * caller (role, JWT claims, RLS, auth.uid()). The request goes in as
 * {method, path, query, headers, body} (headers without credentials or
 * cookies; body parsed when it is JSON, else text). The result is the
 * reply as JSON, or {status, headers, body} when it has that shape. Works
 * with PL/pgSQL (or any language) where plv8 is not installed. */
#ifndef PGSTACK_FUNCTIONS_DB_RUNTIME_H
#define PGSTACK_FUNCTIONS_DB_RUNTIME_H

#include "core/request.h"
#include "core/response.h"
#include "functions/catalog.h"

void functions_db_invoke(request *req, response *res, const functions_entry *fn,
                         const char *path_and_query);

#endif
