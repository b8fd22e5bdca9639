/* pgstack-rest: FastCGI program serving the PostgREST-compatible REST API (and /health)
 * under /rest/v1. Routes are declared here; the engine lives in src/. */
#include "health/health.h"
#include "rest/batch.h"
#include "rest/openapi_handler.h"
#include "rest/read.h"
#include "rest/rest_settings.h"
#include "rest/rls_debug.h"
#include "rest/rpc.h"
#include "rest/write.h"
#include "webhooks/webhooks_api.h"
#include "worker/server.h"

static const route ROUTES[] = {
    /* literal routes before the {table} routes they would otherwise match */
    {"GET", "/", rest_openapi_handle, ROUTE_REQUIRED},
    {"GET", "/rls-debug", rest_rls_debug_handle, ROUTE_REQUIRED},
    {"POST", "/batch", rest_batch_handle, ROUTE_REQUIRED},
    {"GET", "/webhooks", webhooks_list_handle, ROUTE_REQUIRED},
    {"POST", "/webhooks", webhooks_create_handle, ROUTE_REQUIRED},
    {"DELETE", "/webhooks/{id}", webhooks_delete_handle, ROUTE_REQUIRED},
    {"GET", "/webhooks/{id}/deliveries", webhooks_deliveries_handle, ROUTE_REQUIRED},
    {"POST", "/webhooks/{id}/deliveries/{delivery_id}/retry", webhooks_retry_handle,
     ROUTE_REQUIRED},
    {"GET", "/{table}", rest_read_handle, ROUTE_REQUIRED},
    {"POST", "/{table}", rest_write_handle, ROUTE_REQUIRED},
    {"PATCH", "/{table}", rest_write_handle, ROUTE_REQUIRED},
    {"PUT", "/{table}", rest_write_handle, ROUTE_REQUIRED},
    {"DELETE", "/{table}", rest_write_handle, ROUTE_REQUIRED},
    {"GET", "/rpc/{function}", rest_rpc_handle, ROUTE_REQUIRED},
    {"POST", "/rpc/{function}", rest_rpc_handle, ROUTE_REQUIRED},
};

/* GET /health answers for the whole stack, outside /rest/v1 */
static const route OUTSIDE_ROUTES[] = {
    {"GET", "/health", health_handle, ROUTE_PUBLIC},
};

static const area AREA = {
    .name = "rest",
    .program = "pgstack-rest",
    .prefix = "/rest/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .outside_routes = OUTSIDE_ROUTES,
    .outside_route_count = sizeof OUTSIDE_ROUTES / sizeof OUTSIDE_ROUTES[0],
    .settings = &rest_config_section,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
