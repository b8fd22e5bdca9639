/* GET /rest/v1/rls-debug (spec): echoes how the caller is seen inside its
 * own transaction — the role from the JWT, the database role in effect,
 * auth.uid() and the claims — for debugging row-level security policies. */
#ifndef PGSTACK_RLS_DEBUG_H
#define PGSTACK_RLS_DEBUG_H

#include "core/request.h"
#include "core/response.h"

void rest_rls_debug_handle(request *req, response *res);

#endif
