/* POST, GET and HEAD /rest/v1/rpc/{function}: parse -> arguments -> catalog
 * -> plan (plan_rpc.h) -> SQL -> one pipelined transaction as the caller
 * (SECURITY INVOKER functions see the caller's role and claims) -> the
 * read path's reply, or 204 for a void function. */
#ifndef PGSTACK_REST_RPC_H
#define PGSTACK_REST_RPC_H

#include "core/request.h"
#include "core/response.h"

void rest_rpc_handle(request *req, response *res);

#endif
