/* The webhook settings (WEBHOOK_*), registered with core's configuration
 * loader: read by the registration handlers of pgstack-rest and by the
 * delivery loop of the realtime daemon. */
#ifndef PGSTACK_WEBHOOKS_SETTINGS_H
#define PGSTACK_WEBHOOKS_SETTINGS_H

#include "core/config.h"

#include <stdbool.h>

typedef struct webhooks_settings {
    bool deny_private;   /* refuse private and loopback receivers too */
    long timeout_s;      /* per attempt */
    long retention_days; /* settled deliveries are pruned after this */
    long max_in_flight;  /* concurrent deliveries of one daemon */
} webhooks_settings;

extern const config_section webhooks_config_section;

/* The settings of this process, loaded once from the environment and the
 * PGSTACK_CONFIG file; NULL with a message in err when a value is bad. */
const webhooks_settings *webhooks_settings_get(char *err, size_t errlen);

#endif
