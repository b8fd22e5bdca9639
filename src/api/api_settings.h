/* The api area's settings (/api), registered with core's configuration
 * loader. */
#ifndef PGSTACK_API_SETTINGS_H
#define PGSTACK_API_SETTINGS_H

#include "core/config.h"

typedef struct api_settings {
    area_limits limits;
} api_settings;

extern const config_section api_config_section;

#endif
