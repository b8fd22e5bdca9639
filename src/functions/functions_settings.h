/* The functions area's settings (/functions/v1), registered with core's configuration
 * loader. */
#ifndef PGSTACK_FUNCTIONS_SETTINGS_H
#define PGSTACK_FUNCTIONS_SETTINGS_H

#include "core/config.h"

typedef struct functions_settings {
    area_limits limits;
} functions_settings;

extern const config_section functions_config_section;

#endif
