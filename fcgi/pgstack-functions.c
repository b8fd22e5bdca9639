/* pgstack-functions: FastCGI program serving the edge functions API
 * under /functions/v1. Routes are declared here; the engine lives in src/. */
#include "functions/functions_settings.h"
#include "worker/server.h"

static const area AREA = {
    .name = "functions",
    .program = "pgstack-functions",
    .prefix = "/functions/v1",
    .routes = NULL, /* the area's endpoints arrive with its issue */
    .route_count = 0,
    .settings = &functions_config_section,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
