/* The functions area's configuration keys; see functions_settings.h. */
#include "functions/functions_settings.h"

static const config_key FUNCTIONS_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("FUNCTIONS", "pgstack-functions", "/functions/v1", "2", "6291456"),
};

const config_section functions_config_section = {
    .name = "functions",
    .keys = FUNCTIONS_KEYS,
    .key_count = sizeof FUNCTIONS_KEYS / sizeof FUNCTIONS_KEYS[0],
    .size = sizeof(functions_settings),
};
