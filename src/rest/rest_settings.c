/* The REST area's configuration keys; see rest_settings.h. */
#include "rest/rest_settings.h"

#define OFF(field) offsetof(rest_settings, field)

static const config_key REST_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("REST", "pgstack-rest", "/rest/v1", "4", "10485760"),
    {.name = "REST_MAX_EMBED_DEPTH",
     .type = CONFIG_INT,
     .default_value = "16",
     .offset = OFF(max_embed_depth),
     .min = 1,
     .max = 256,
     .description = "deepest nesting of embedded resources in a REST select"},
    {.name = "REST_MAX_LOGIC_DEPTH",
     .type = CONFIG_INT,
     .default_value = "16",
     .offset = OFF(max_logic_depth),
     .min = 1,
     .max = 256,
     .description = "deepest nesting of and/or logic trees in a REST request"},
    {.name = "REST_MAX_FILTERS",
     .type = CONFIG_INT,
     .default_value = "1000",
     .offset = OFF(max_filters),
     .min = 1,
     .max = 1000000,
     .description = "most filters (and logic-tree conditions) in one REST request"},
    {.name = "BATCH_MAX_OPERATIONS",
     .type = CONFIG_INT,
     .default_value = "100",
     .offset = OFF(batch_max_operations),
     .min = 1,
     .max = 100000,
     .description = "most operations in one POST /rest/v1/batch"},
};

const config_section rest_config_section = {
    .name = "rest",
    .keys = REST_KEYS,
    .key_count = sizeof REST_KEYS / sizeof REST_KEYS[0],
    .size = sizeof(rest_settings),
};
