/* The storage area's settings (/storage/v1), registered with core's configuration
 * loader. */
#ifndef PGSTACK_STORAGE_SETTINGS_H
#define PGSTACK_STORAGE_SETTINGS_H

#include "core/config.h"

typedef struct storage_settings {
    area_limits limits;
} storage_settings;

extern const config_section storage_config_section;

#endif
