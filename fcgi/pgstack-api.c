/* pgstack-api: FastCGI program serving the platform API (workflows, agents, dev endpoints)
 * under /api. Routes are declared here; the engine lives in src/. */
#include "api/api_settings.h"
#include "rest/catalog/catalog_refresh.h"
#include "worker/server.h"

static const route ROUTES[] = {
    {"POST", "/catalog/refresh", rest_catalog_refresh_handle, ROUTE_REQUIRED},
};

static const area AREA = {
    .name = "api",
    .program = "pgstack-api",
    .prefix = "/api",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .settings = &api_config_section,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
