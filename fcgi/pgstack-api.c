/* pgstack-api: FastCGI program serving the platform API (workflows, agents, dev endpoints)
 * under /api. Routes are declared here; the engine lives in src/. */
#include "core/server.h"

static const area AREA = {
    .name = "api",
    .program = "pgstack-api",
    .prefix = "/api",
    .routes = NULL, /* the area's endpoints arrive with its issue */
    .route_count = 0,
    .serves_health = false,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
