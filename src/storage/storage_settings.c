/* The storage area's configuration keys; see storage_settings.h. */
#include "storage/storage_settings.h"

static const config_key STORAGE_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("STORAGE", "pgstack-storage", "/storage/v1", "2", "52428800"),
};

const config_section storage_config_section = {
    .name = "storage",
    .keys = STORAGE_KEYS,
    .key_count = sizeof STORAGE_KEYS / sizeof STORAGE_KEYS[0],
    .size = sizeof(storage_settings),
};
