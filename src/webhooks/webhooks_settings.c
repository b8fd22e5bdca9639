/* The webhook configuration keys; see webhooks_settings.h. */
#include "webhooks/webhooks_settings.h"

#include <stddef.h>

#define OFF(field) offsetof(webhooks_settings, field)

extern char **environ;

static const config_key WEBHOOK_KEYS[] = {
    {.name = "WEBHOOK_DENY_PRIVATE",
     .type = CONFIG_BOOL,
     .default_value = "false",
     .offset = OFF(deny_private),
     .description = "refuse webhook receivers on private and loopback addresses too "
                    "(link-local is always refused)"},
    {.name = "WEBHOOK_TIMEOUT",
     .type = CONFIG_INT,
     .default_value = "10",
     .offset = OFF(timeout_s),
     .min = 1,
     .max = 300,
     .description = "seconds one webhook delivery attempt may take"},
    {.name = "WEBHOOK_RETENTION",
     .type = CONFIG_INT,
     .default_value = "7",
     .offset = OFF(retention_days),
     .min = 1,
     .max = 3650,
     .description = "days delivered and dead webhook events are kept"},
    {.name = "WEBHOOK_MAX_IN_FLIGHT",
     .type = CONFIG_INT,
     .default_value = "256",
     .offset = OFF(max_in_flight),
     .min = 1,
     .max = 100000,
     .description = "webhook deliveries one daemon sends at once"},
};

const config_section webhooks_config_section = {
    .name = "webhooks",
    .keys = WEBHOOK_KEYS,
    .key_count = sizeof WEBHOOK_KEYS / sizeof WEBHOOK_KEYS[0],
    .size = sizeof(webhooks_settings),
};

const webhooks_settings *webhooks_settings_get(char *err, size_t errlen)
{
    static webhooks_settings settings;
    static bool loaded;
    if (loaded)
        return &settings;
    pgstack_config core;
    if (!config_load(&core, &webhooks_config_section, &settings, environ, 0, err, errlen))
        return NULL;
    config_section_free(&core_config_section, &core);
    loaded = true;
    return &settings;
}
