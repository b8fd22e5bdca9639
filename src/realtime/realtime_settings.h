/* The realtime daemon's own settings (section "realtime", loaded by core's
 * config_load): where it listens, its connection caps, whether the anon key
 * may open sockets, and its per-connection limits. It is not a FastCGI
 * area, so it has no area_limits. Shared settings (DATABASE_URL, JWT_SECRET,
 * ALLOWED_ORIGINS, ALLOW_PERMISSIVE_CORS, TRUSTED_PROXIES) come from core's
 * pgstack_config. */
#ifndef PGSTACK_REALTIME_SETTINGS_H
#define PGSTACK_REALTIME_SETTINGS_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

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
    long io_threads;             /* REALTIME_IO_THREADS (0: min(online CPUs, 4)) */
} realtime_settings;

extern const config_section realtime_config_section;

#endif
