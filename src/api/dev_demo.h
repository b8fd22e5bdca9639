/* POST /api/demo: mutates the demo tables of sql/0009 (pgstack_demo.counters
 * and pgstack_demo.events), for demos of the stack. Mounted only when
 * ENABLE_DEMO_ENDPOINT=true or a SERVICE_ROLE_KEY is configured (else 404);
 * it always requires the service_role key. Body:
 *   {"action": "increment", "name": "clicks", "by": 1} -> {"name", "value"}
 *   {"action": "reset"}                                -> {"ok": true}
 *   {"action": "list"}                                 -> [{"name", "value", "updated_at"}]
 * Each increment also records a row in pgstack_demo.events. */
#ifndef PGSTACK_API_DEV_DEMO_H
#define PGSTACK_API_DEV_DEMO_H

#include "core/request.h"
#include "core/response.h"

void api_dev_demo_handle(request *req, response *res);

#endif
