/* Configuration: environment variables named as in the spec, also read from
 * the KEY=VALUE file named by PGSTACK_CONFIG (default
 * /etc/pgstack/pgstack.conf); the environment wins. Core declares the keys
 * every program shares (config.c); each area declares its own keys in a
 * config_section in its folder, loaded by the same table-driven loader. A bad
 * value or a missing required key is reported in one line naming the key. */
#ifndef PGSTACK_CONFIG_H
#define PGSTACK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/pgstack/pgstack.conf"

typedef struct str_list {
    char **items;
    size_t count;
} str_list;

/* One configuration key: its name (as in the spec), type, default, where
 * its value goes in the settings struct of its section, and a one-line
 * description for `pgstack config list` and the README. */
typedef enum { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL, CONFIG_LIST } config_type;

typedef struct config_key {
    const char *name;
    config_type type;          /* STRING: char *, INT: long, BOOL: bool, LIST: str_list */
    const char *default_value; /* NULL: unset (the field stays NULL / 0) */
    size_t offset;             /* of the field in the section's struct */
    long min, max;             /* CONFIG_INT bounds */
    unsigned required_by;      /* CONFIG_NEED_* flags (core keys) */
    bool (*check)(const char *value, char *why, size_t whylen);
    const char *description;
} config_key;

/* The keys one part of pgstack owns (core, or an area such as rest), and the
 * struct they fill. validate runs after every key is loaded (keys that
 * depend on each other); it may be NULL. */
typedef struct config_section {
    const char *name;
    const config_key *keys;
    size_t key_count;
    size_t size;
    bool (*validate)(const void *settings, char *err, size_t errlen);
} config_section;

/* Every FastCGI area's settings struct starts with its limits; their keys
 * are <AREA>_WORKERS and <AREA>_MAX_BODY (CONFIG_AREA_LIMIT_KEYS). */
typedef struct area_limits {
    long workers;
    long max_body;
} area_limits;

#define CONFIG_AREA_LIMIT_KEYS(PREFIX, program, url_path, workers_default, body_default)           \
    {.name = PREFIX "_WORKERS",                                                                    \
     .type = CONFIG_INT,                                                                           \
     .default_value = workers_default,                                                             \
     .offset = offsetof(area_limits, workers),                                                     \
     .min = 1,                                                                                     \
     .max = 1024,                                                                                  \
     .description = "worker processes of " program},                                               \
    {                                                                                              \
        .name = PREFIX "_MAX_BODY", .type = CONFIG_INT, .default_value = body_default,             \
        .offset = offsetof(area_limits, max_body), .min = 0, .max = 1024L * 1024L * 1024L,         \
        .description = "largest request body of " url_path " in bytes"                             \
    }

/* The keys every program shares. */
typedef struct pgstack_config {
    char *database_url;
    char *jwt_secret;
    char *jwt_algorithm;
    char *jwt_signing_keys; /* path of a JWK set of ES256/RS256 keys, or NULL */
    str_list allowed_origins;
    bool allow_permissive_cors;
    str_list trusted_proxies;
    long db_statement_timeout_ms;
    bool db_prepared_statements;
    long db_connect_timeout_s;
    long max_query_length;
    str_list db_schemas; /* exposed schemas; the first is the default */
} pgstack_config;

extern const config_section core_config_section;

/* Which core keys must be present for the calling program. */
enum {
    CONFIG_NEED_DATABASE = 1 << 0,
    CONFIG_NEED_JWT = 1 << 1,
};

/* Loads the core keys into cfg and, when area is not NULL, the area's keys
 * into settings (area->size bytes), from env (a NULL-terminated
 * environ-style array) and the file it names. On failure returns false with
 * a one-line message in err, and nothing stays allocated. */
bool config_load(pgstack_config *cfg, const config_section *area, void *settings, char *const *env,
                 unsigned needs, char *err, size_t errlen);

/* Same, with the file contents given as text (NULL for no file). */
bool config_load_text(pgstack_config *cfg, const config_section *area, void *settings,
                      const char *file_text, char *const *env, unsigned needs, char *err,
                      size_t errlen);

/* One section alone (the core section loads into a pgstack_config). */
bool config_section_load(const config_section *s, void *settings, const char *file_text,
                         char *const *env, unsigned needs, char *err, size_t errlen);

/* Frees what loading allocated; harmless twice and after a failed load. */
void config_section_free(const config_section *s, void *settings);
void config_free(pgstack_config *cfg, const config_section *area, void *settings);

/* Checks for CONFIG_STRING keys that any section may use. */
bool config_check_http_url(const char *value, char *why, size_t whylen);
bool config_check_optional_http_url(const char *value, char *why, size_t whylen);

/* The shape of those checks: does value start with one of schemes (a
 * NULL-terminated list such as {"smtp://", "smtps://", NULL})? Else false
 * with "must be an smtp:// or smtps:// URL" in why. */
bool config_check_scheme(const char *value, const char *const *schemes, char *why, size_t whylen);

/* The value of s's CONFIG_STRING key name in settings (a loaded section's
 * struct), or NULL when the key is unset or s has no such string key: for
 * a section's validate hook ("X is required when Y is set"). */
const char *config_section_string(const config_section *s, const void *settings, const char *name);

/* The text in effect for name: the environment's value, else the last in
 * the PGSTACK_CONFIG file, else NULL; malloc'd. */
char *config_value(const char *name, char *const *env);

/* What `pgstack config list` and the README show for a key. */
const char *config_key_default_text(const config_key *k);

/* The first key of s with this name, or NULL. */
const config_key *config_section_find(const config_section *s, const char *name);

#endif
