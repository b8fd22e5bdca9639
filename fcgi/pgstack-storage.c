/* pgstack-storage: FastCGI program serving the storage API
 * under /storage/v1. Routes are declared here; the engine lives in src/. */
#include "storage/storage_settings.h"
#include "worker/server.h"

static const area AREA = {
    .name = "storage",
    .program = "pgstack-storage",
    .prefix = "/storage/v1",
    .routes = NULL, /* the area's endpoints arrive with its issue */
    .route_count = 0,
    .settings = &storage_config_section,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
