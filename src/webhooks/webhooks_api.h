/* /rest/v1/webhooks (served by pgstack-rest, service_role only): register,
 * list and delete webhooks, and (beyond the spec) read a webhook's recent
 * deliveries and queue a dead delivery again. The work is done by the
 * SECURITY DEFINER functions of sql/0011_webhooks.sql. */
#ifndef PGSTACK_WEBHOOKS_API_H
#define PGSTACK_WEBHOOKS_API_H

#include "core/request.h"
#include "core/response.h"

/* POST /webhooks */
void webhooks_create_handle(request *req, response *res);
/* GET /webhooks */
void webhooks_list_handle(request *req, response *res);
/* DELETE /webhooks/{id} */
void webhooks_delete_handle(request *req, response *res);
/* GET /webhooks/{id}/deliveries */
void webhooks_deliveries_handle(request *req, response *res);
/* POST /webhooks/{id}/deliveries/{delivery_id}/retry */
void webhooks_retry_handle(request *req, response *res);

#endif
