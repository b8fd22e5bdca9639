/* GET and HEAD /rest/v1/{table}: parse -> catalog -> plan -> SQL -> one
 * pipelined transaction as the caller -> reply (read_reply.c). */
#ifndef PGSTACK_REST_READ_H
#define PGSTACK_REST_READ_H

#include "core/request.h"
#include "core/response.h"

void rest_read_handle(request *req, response *res);

#endif
