/* The api area's settings (/api), registered with core's configuration
 * loader: its limits and the switches of the dev-only endpoints. */
#ifndef PGSTACK_API_SETTINGS_H
#define PGSTACK_API_SETTINGS_H

#include "core/config.h"

typedef struct api_settings {
    area_limits limits;
    bool enable_sql_endpoint;  /* ENABLE_SQL_ENDPOINT: POST /api/sql */
    bool enable_demo_endpoint; /* ENABLE_DEMO_ENDPOINT: POST /api/demo */
    char *service_role_key;    /* SERVICE_ROLE_KEY: configured -> /api/demo mounted */
} api_settings;

extern const config_section api_config_section;

#endif
