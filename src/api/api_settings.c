/* The api area's configuration keys; see api_settings.h. */
#include "api/api_settings.h"

#define OFF(field) offsetof(api_settings, field)

static const config_key API_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("API", "pgstack-api", "/api", "2", "1048576"),
    {.name = "ENABLE_SQL_ENDPOINT",
     .type = CONFIG_BOOL,
     .default_value = "false",
     .offset = OFF(enable_sql_endpoint),
     .description = "development only: mount POST /api/sql (raw SQL as service_role)"},
    {.name = "ENABLE_DEMO_ENDPOINT",
     .type = CONFIG_BOOL,
     .default_value = "false",
     .offset = OFF(enable_demo_endpoint),
     .description = "mount POST /api/demo (it is also mounted when SERVICE_ROLE_KEY is set)"},
    {.name = "SERVICE_ROLE_KEY",
     .type = CONFIG_STRING,
     .offset = OFF(service_role_key),
     .description = "the service_role key, given to functions as SUPABASE_SERVICE_ROLE_KEY"},
};

const config_section api_config_section = {
    .name = "api",
    .keys = API_KEYS,
    .key_count = sizeof API_KEYS / sizeof API_KEYS[0],
    .size = sizeof(api_settings),
};
