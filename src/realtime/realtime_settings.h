/* The realtime daemon's own settings (section "realtime"): where it
 * listens, its connection caps, whether the anon key may open sockets, and
 * its per-connection limits. Shared settings (DATABASE_URL, JWT_SECRET,
 * ALLOWED_ORIGINS, ALLOW_PERMISSIVE_CORS, TRUSTED_PROXIES) come from core's
 * pgstack_config. */
#ifndef PGSTACK_REALTIME_SETTINGS_H
#define PGSTACK_REALTIME_SETTINGS_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

#ifndef PGSTACK_CONFIG_SECTIONS
/* The shape of core's area-owned settings (landing in core/config.h); kept
 * here until then. */
typedef enum { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL, CONFIG_LIST } config_type;
typedef struct config_key {
    const char *name;
    config_type type;
    const char *default_value;
    size_t offset;
    long min, max;
    unsigned required_by;
    bool (*check)(const char *value, char *why, size_t whylen);
    const char *description;
} config_key;
typedef struct config_section {
    const char *name;
    const config_key *keys;
    size_t key_count;
    size_t size;
    bool (*validate)(void *settings, char *err, size_t errlen);
} config_section;
#endif

typedef struct realtime_settings {
    char *addr;                  /* REALTIME_ADDR: host:port or unix:/path */
    char *database_url;          /* REALTIME_DATABASE_URL ("" = DATABASE_URL) */
    long max_connections;        /* REALTIME_MAX_CONNECTIONS */
    long max_connections_per_ip; /* REALTIME_MAX_CONNECTIONS_PER_IP */
    bool require_authenticated;  /* REQUIRE_AUTHENTICATED_WS */
    long idle_timeout_s;         /* REALTIME_IDLE_TIMEOUT */
    long max_message;            /* REALTIME_MAX_MESSAGE */
    long output_limit;           /* REALTIME_OUTPUT_LIMIT */
    long max_channels;           /* REALTIME_MAX_CHANNELS_PER_SOCKET */
} realtime_settings;

extern const config_section realtime_config_section;

/* Interim loader until core loads sections: each key from the environment,
 * else from the PGSTACK_CONFIG file, else its default. false with a message
 * naming the key on a bad value. */
bool realtime_settings_load(realtime_settings *s, char *const *env, char *err, size_t errlen);

#endif
