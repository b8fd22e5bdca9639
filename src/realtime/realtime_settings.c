/* The realtime section's keys and (until core loads sections) their
 * loading; see realtime_settings.h. */
#include "realtime/realtime_settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
};

const config_section realtime_config_section = {
    .name = "realtime",
    .keys = realtime_keys,
    .key_count = sizeof(realtime_keys) / sizeof(realtime_keys[0]),
    .size = sizeof(realtime_settings),
    .validate = NULL,
};

static const char *rt_env_get(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (; env && *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return NULL;
}

/* The value of name in the KEY=VALUE file text (last one wins), malloc'd. */
static char *rt_file_get(const char *text, const char *name)
{
    char *found = NULL;
    size_t n = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (*line == ' ' || *line == '\t'))
            line++, len--;
        if (len > n && strncmp(line, name, n) == 0 && line[n] == '=') {
            const char *v = line + n + 1;
            size_t vlen = len - n - 1;
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
                vlen--;
            if (vlen >= 2 && (v[0] == '\'' || v[0] == '"') && v[vlen - 1] == v[0])
                v++, vlen -= 2;
            free(found);
            found = strndup(v, vlen);
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

static char *rt_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    return buf;
}

static bool rt_set_value(realtime_settings *s, const config_key *k, const char *v, char *err,
                         size_t errlen)
{
    char *field = (char *)s + k->offset;
    if (k->type == CONFIG_STRING) {
        *(char **)field = strdup(v);
        return true;
    }
    if (k->type == CONFIG_BOOL) {
        bool on = !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes");
        bool off = !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no");
        if (!on && !off) {
            snprintf(err, errlen, "%s: expected true or false, got '%s'", k->name, v);
            return false;
        }
        *(bool *)field = on;
        return true;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < k->min || n > k->max) {
        snprintf(err, errlen, "%s: expected a whole number from %ld to %ld, got '%s'", k->name,
                 k->min, k->max, v);
        return false;
    }
    *(long *)field = n;
    return true;
}

bool realtime_settings_load(realtime_settings *s, char *const *env, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    const char *path = rt_env_get(env, "PGSTACK_CONFIG");
    char *text = rt_read_file(path ? path : CONFIG_DEFAULT_PATH);
    bool ok = true;
    for (size_t i = 0; ok && i < realtime_config_section.key_count; i++) {
        const config_key *k = &realtime_keys[i];
        char *from_file = text ? rt_file_get(text, k->name) : NULL;
        const char *v = rt_env_get(env, k->name);
        if (!v)
            v = from_file ? from_file : k->default_value;
        ok = rt_set_value(s, k, v, err, errlen);
        free(from_file);
    }
    free(text);
    return ok;
}
