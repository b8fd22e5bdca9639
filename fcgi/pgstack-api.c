/* pgstack-api: FastCGI program serving the platform API (workflows, agents, dev endpoints)
 * under /api. Routes are declared here; the engine lives in src/. */
#include "api/api_settings.h"
#include "api/dev_demo.h"
#include "api/dev_sql.h"
#include "rest/catalog/catalog_refresh.h"
#include "worker/server.h"

static const route ROUTES[] = {
    {"POST", "/catalog/refresh", rest_catalog_refresh_handle, ROUTE_REQUIRED},
    /* dev-only: answer 404 unless their settings mount them */
    {"POST", "/sql", api_dev_sql_handle, ROUTE_REQUIRED},
    {"POST", "/demo", api_dev_demo_handle, ROUTE_REQUIRED},
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
