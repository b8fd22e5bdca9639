/* POST, PATCH, PUT and DELETE /rest/v1/{table}: parse (query and body) ->
 * catalog -> write plan -> one statement in one pipelined transaction as
 * the caller, under row-level security -> reply (write_reply.c). */
#ifndef PGSTACK_REST_WRITE_H
#define PGSTACK_REST_WRITE_H

#include "core/request.h"
#include "core/response.h"

void rest_write_handle(request *req, response *res);

#endif
