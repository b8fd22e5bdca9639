/* The REST parser's input taken from an HTTP request: method, query
 * parameters (apikey aside), the Prefer, Range, Accept and profile
 * headers, the exposed schemas and the configured limits. */
#ifndef PGSTACK_REST_INPUT_H
#define PGSTACK_REST_INPUT_H

#include "core/request.h"
#include "rest/error.h"
#include "rest/model.h"

/* Parses req (is_rpc: a /rpc/{function} request) into out. */
bool rest_input_parse(request *req, bool is_rpc, rest_request *out, rest_error *err);

#endif
