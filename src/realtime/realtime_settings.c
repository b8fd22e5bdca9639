/* The realtime section's keys; see realtime_settings.h. */
#include "realtime/realtime_settings.h"

#include <stddef.h>

#define RT_OFF(f) offsetof(realtime_settings, f)

static const config_key realtime_keys[] = {
    {.name = "REALTIME_ADDR",
     .type = CONFIG_STRING,
     .default_value = "127.0.0.1:4000",
     .offset = RT_OFF(addr),
     .description = "where pgstack-realtime listens: host:port (loopback) "
                    "or unix:/path"},
    {.name = "REALTIME_DATABASE_URL",
     .type = CONFIG_STRING,
     .default_value = "",
     .offset = RT_OFF(database_url),
     .description = "libpq URL of the LISTEN connection when DATABASE_URL goes through PgBouncer "
                    "in transaction mode (LISTEN needs a session); empty = DATABASE_URL"},
    {.name = "REALTIME_MAX_CONNECTIONS",
     .type = CONFIG_INT,
     .default_value = "10000",
     .offset = RT_OFF(max_connections),
     .min = 1,
     .max = 1000000,
     .description = "most WebSocket connections of one daemon; more are refused with 503"},
    {.name = "REALTIME_MAX_CONNECTIONS_PER_IP",
     .type = CONFIG_INT,
     .default_value = "1000",
     .offset = RT_OFF(max_connections_per_ip),
     .min = 1,
     .max = 1000000,
     .description = "most WebSocket connections from one client address; more get 429"},
    {.name = "REQUIRE_AUTHENTICATED_WS",
     .type = CONFIG_BOOL,
     .default_value = "false",
     .offset = RT_OFF(require_authenticated),
     .description = "refuse the anon key (401) on /ws and /realtime/v1: a user JWT or "
                    "service_role is needed"},
    {.name = "REALTIME_IDLE_TIMEOUT",
     .type = CONFIG_INT,
     .default_value = "60",
     .offset = RT_OFF(idle_timeout_s),
     .min = 1,
     .max = 86400,
     .description = "seconds of silence after which a socket is closed (clients beat every "
                    "25-30 s)"},
    {.name = "REALTIME_MAX_MESSAGE",
     .type = CONFIG_INT,
     .default_value = "262144",
     .offset = RT_OFF(max_message),
     .min = 1024,
     .max = 16777216,
     .description = "largest WebSocket message a client may send, in bytes (close 1009)"},
    {.name = "REALTIME_OUTPUT_LIMIT",
     .type = CONFIG_INT,
     .default_value = "1048576",
     .offset = RT_OFF(output_limit),
     .min = 4096,
     .max = 1073741824,
     .description = "bytes queued for one slow client before it is disconnected"},
    {.name = "REALTIME_MAX_CHANNELS_PER_SOCKET",
     .type = CONFIG_INT,
     .default_value = "100",
     .offset = RT_OFF(max_channels),
     .min = 1,
     .max = 100000,
     .description = "channels one socket may join (Phoenix: ChannelRateLimitReached)"},
    {.name = "REALTIME_IO_THREADS",
     .type = CONFIG_INT,
     .default_value = "0",
     .offset = RT_OFF(io_threads),
     .min = 0,
     .max = 64,
     .description = "threads writing a fan-out to many sockets (the event loop's own included); "
                    "0 = min(online CPUs, 4), 1 = the event loop writes everything"},
};

const config_section realtime_config_section = {
    .name = "realtime",
    .keys = realtime_keys,
    .key_count = sizeof(realtime_keys) / sizeof(realtime_keys[0]),
    .size = sizeof(realtime_settings),
    .validate = NULL,
};
