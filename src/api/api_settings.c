/* The api area's configuration keys; see api_settings.h. */
#include "api/api_settings.h"

static const config_key API_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("API", "pgstack-api", "/api", "2", "1048576"),
};

const config_section api_config_section = {
    .name = "api",
    .keys = API_KEYS,
    .key_count = sizeof API_KEYS / sizeof API_KEYS[0],
    .size = sizeof(api_settings),
};
