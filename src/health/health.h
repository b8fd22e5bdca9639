/* GET /health (spec): 200 {"status":"ok","pg_connected":true} when
 * SELECT 1 succeeds, 503 {"status":"degraded","pg_connected":false} when the
 * database cannot be reached within DB_CONNECT_TIMEOUT. */
#ifndef PGSTACK_HEALTH_H
#define PGSTACK_HEALTH_H

#include "core/request.h"
#include "core/response.h"

void health_handle(request *req, response *res);

#endif
