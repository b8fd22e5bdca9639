/* pgstack-functions: FastCGI program serving the edge functions API
 * under /functions/v1, with the deno runtime as its supervised companion.
 * Routes are declared here; the engine lives in src/functions/. */
#include "functions/functions_settings.h"
#include "functions/invoke.h"
#include "functions/runtime.h"
#include "worker/server.h"

/* verify_jwt is per function: the invoke handler checks credentials itself. */
#define INVOKE(method)                                                                             \
    {method, "/{name}", functions_invoke_handle, ROUTE_PUBLIC},                                    \
    {                                                                                              \
        method, "/{name}/*", functions_invoke_handle, ROUTE_PUBLIC                                 \
    }

static const route ROUTES[] = {
    {"GET", "/", functions_list_handle, ROUTE_REQUIRED},
    {"POST", "/_refresh", functions_refresh_handle, ROUTE_REQUIRED},
    INVOKE("GET"),
    INVOKE("POST"),
    INVOKE("PUT"),
    INVOKE("PATCH"),
    INVOKE("DELETE"),
    INVOKE("OPTIONS"),
};

static const area AREA = {
    .name = "functions",
    .program = "pgstack-functions",
    .prefix = "/functions/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .settings = &functions_config_section,
    .handler_cors = true, /* functions answer CORS preflights themselves */
    .companion_name = "deno runtime",
    .companion_setup = functions_runtime_setup,
    .companion_run = functions_runtime_run,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
