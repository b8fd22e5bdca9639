/* What a FastCGI program is: its area (name, URL prefix, routes, settings)
 * and, at run time, the state every handler of a worker may use: the core
 * configuration, the area's settings and the database connection. */
#ifndef PGSTACK_APP_H
#define PGSTACK_APP_H

#include "core/config.h"
#include "core/router.h"
#include "db/conn.h"
#include "jwt/jwt_keys.h"

#include <stdbool.h>
#include <stddef.h>

struct app;

typedef struct area {
    const char *name;    /* "rest" */
    const char *program; /* "pgstack-rest" */
    const char *prefix;  /* "/rest/v1" */
    const route *routes;
    size_t route_count;
    /* routes outside the prefix, matched against the whole path (/health) */
    const route *outside_routes;
    size_t outside_route_count;
    const config_section *settings; /* the area's keys (<AREA>_WORKERS, ...) */
    /* Optional: true for routes whose handler reads the body itself from
     * res->io (uploads streamed to disk); the server then only enforces
     * the Content-Length limit. NULL: every body is read into memory. */
    bool (*reads_body)(const route *r);
    /* true: the handlers answer CORS themselves (edge functions, as on
     * Supabase): preflights reach them and an origin outside
     * ALLOWED_ORIGINS is not refused; an allowed origin still gets
     * pgstack's CORS headers, which the handler's own replace. */
    bool handler_cors;
    /* A process kept running beside the workers (NULL: none): set up by
     * companion_setup in the supervisor after the configuration is loaded
     * (false: do not start it), then run by companion_run in a child. */
    const char *companion_name;
    bool (*companion_setup)(struct app *app);
    int (*companion_run)(void *app);
} area;

typedef struct app {
    const area *area;
    pgstack_config cfg;
    void *settings; /* the area's settings struct; starts with area_limits */
    db_conn *db;
    jwt_keys keys; /* JWT_SIGNING_KEYS (empty without) */
} app_ctx;

/* The area's worker count and body limit. */
static inline const area_limits *app_limits(const app_ctx *app)
{
    return (const area_limits *)app->settings;
}

/* How long to wait for a caller transaction: the statement timeout plus a
 * margin for the round trip (an hour when statements have no timeout). */
static inline long app_txn_wait_ms(const app_ctx *app)
{
    long timeout = app->cfg.db_statement_timeout_ms;
    return timeout > 0 ? timeout + 2000L : 3600L * 1000L;
}

#endif
