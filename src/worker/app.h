/* What a FastCGI program is: its area (name, URL prefix, routes, settings)
 * and, at run time, the state every handler of a worker may use: the core
 * configuration, the area's settings and the database connection. */
#ifndef PGSTACK_APP_H
#define PGSTACK_APP_H

#include "core/config.h"
#include "core/router.h"
#include "db/conn.h"

#include <stdbool.h>
#include <stddef.h>

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
} area;

typedef struct app {
    const area *area;
    pgstack_config cfg;
    void *settings; /* the area's settings struct; starts with area_limits */
    db_conn *db;
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
