/* The functions area's settings: where deno is, where the runtime keeps its
 * socket, deployments and cache, and the limits of an invocation. Shaped as
 * the area-owned settings of the configuration loader (one key table with
 * defaults and bounds); read once per process from the environment and the
 * PGSTACK_CONFIG file, the environment winning. */
#ifndef PGSTACK_FUNCTIONS_SETTINGS_H
#define PGSTACK_FUNCTIONS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct functions_settings {
    char *deno_path;     /* DENO_PATH: "" = `deno` on PATH */
    char *runtime_dir;   /* FUNCTIONS_RUNTIME_DIR */
    char *bootstrap_dir; /* FUNCTIONS_BOOTSTRAP_DIR: main.ts, child.ts */
    long timeout_s;      /* FUNCTIONS_TIMEOUT */
    long memory_mb;      /* FUNCTIONS_MEMORY_MB */
    long idle_timeout_s; /* FUNCTIONS_IDLE_TIMEOUT */
    char *supabase_url;  /* FUNCTIONS_SUPABASE_URL (default API_EXTERNAL_URL) */
    char *db_url;        /* FUNCTIONS_DB_URL -> SUPABASE_DB_URL, "" = unset */
    char *anon_key;      /* ANON_KEY -> SUPABASE_ANON_KEY */
    char *service_key;   /* SERVICE_ROLE_KEY -> SUPABASE_SERVICE_ROLE_KEY */
    char *jwt_secret;    /* JWT_SECRET: derives the key of stored secrets */
    char *deno;          /* resolved: an executable deno, or NULL */
} functions_settings;

typedef struct functions_setting_key {
    const char *name;
    bool is_int;
    const char *default_value;
    size_t offset;
    long min, max;
    const char *description;
} functions_setting_key;

/* The settings of this process, loaded at first use; NULL (with the
 * message on stderr) when a value is invalid. */
const functions_settings *functions_settings_get(void);

/* Loads from an environ-style array and the text of a KEY=VALUE file (may
 * be NULL); false with a one-line message naming the key. */
bool functions_settings_load(functions_settings *s, char *const *env, const char *file_text,
                             char *err, size_t errlen);

/* The key table (for the README and tests). */
const functions_setting_key *functions_setting_keys(size_t *count);

/* Path of the runtime's Unix socket (in the process's own memory). */
const char *functions_runtime_socket(const functions_settings *s);

#endif
