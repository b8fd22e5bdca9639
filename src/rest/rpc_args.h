/* The arguments of an RPC taken from the HTTP request (rest_rpc_args of
 * plan_rpc.h). GET/HEAD: the names of the query arguments the parser set
 * aside. POST: the body, JSON (Content-Type application/json or none, else
 * 415 PGRST107) without NUL bytes; an empty body is {}; the top-level keys
 * of an object are the argument names; invalid JSON is 400 PGRST102. */
#ifndef PGSTACK_REST_RPC_ARGS_H
#define PGSTACK_REST_RPC_ARGS_H

#include "core/request.h"
#include "rest/error.h"
#include "rest/plan/plan_rpc.h"

bool rest_rpc_args_read(request *req, const rest_request *rq, rest_rpc_args *out, rest_error *err);

/* The two cases on their own (also for tests): a body and its
 * Content-Type (may be NULL); the distinct names of the query arguments. */
bool rest_rpc_args_from_body(arena *a, const char *body, size_t len, const char *content_type,
                             rest_rpc_args *out, rest_error *err);
void rest_rpc_args_from_query(arena *a, const rest_request *rq, rest_rpc_args *out);

#endif
