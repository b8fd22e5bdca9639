/* The REST area's settings (/rest/v1): the limits of one request,
 * registered with core's configuration loader. The exposed schemas
 * (DB_SCHEMAS) are core's: the api area reloads the same catalog. */
#ifndef PGSTACK_REST_SETTINGS_H
#define PGSTACK_REST_SETTINGS_H

#include "core/config.h"
#include "worker/app.h"

typedef struct rest_settings {
    area_limits limits;
    long max_embed_depth;
    long max_logic_depth;
    long max_filters;
    long batch_max_operations;
} rest_settings;

extern const config_section rest_config_section;

/* The REST settings of the worker serving req (pgstack-rest only). */
static inline const rest_settings *rest_settings_of(const request *req)
{
    return (const rest_settings *)req->app->settings;
}

#endif
