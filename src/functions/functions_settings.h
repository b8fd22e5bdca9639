/* The functions area's settings (/functions/v1), registered with core's
 * configuration loader: where deno is, where the runtime keeps its socket,
 * deployments and cache, the limits of an invocation, what functions
 * get as SUPABASE_* variables, and the registries deno loads npm: and jsr:
 * imports from. */
#ifndef PGSTACK_FUNCTIONS_SETTINGS_H
#define PGSTACK_FUNCTIONS_SETTINGS_H

#include "core/config.h"

typedef struct functions_settings {
    area_limits limits;
    char *deno_path;     /* DENO_PATH: NULL = `deno` on PATH */
    char *runtime_dir;   /* FUNCTIONS_RUNTIME_DIR */
    char *bootstrap_dir; /* FUNCTIONS_BOOTSTRAP_DIR: NULL = installed scripts */
    long timeout_s;      /* FUNCTIONS_TIMEOUT */
    long memory_mb;      /* FUNCTIONS_MEMORY_MB */
    long idle_timeout_s; /* FUNCTIONS_IDLE_TIMEOUT */
    char *supabase_url;  /* FUNCTIONS_SUPABASE_URL -> SUPABASE_URL */
    char *db_url;        /* FUNCTIONS_DB_URL -> SUPABASE_DB_URL */
    char *anon_key;      /* ANON_KEY -> SUPABASE_ANON_KEY */
    char *service_key;   /* SERVICE_ROLE_KEY -> SUPABASE_SERVICE_ROLE_KEY */
    char *npm_registry;  /* FUNCTIONS_NPM_REGISTRY -> NPM_CONFIG_REGISTRY */
    char *jsr_url;       /* FUNCTIONS_JSR_URL -> JSR_URL */
} functions_settings;

extern const config_section functions_config_section;

/* An executable deno (DENO_PATH, or `deno` on PATH), resolved once per
 * process; NULL when there is none (invocations answer 503). */
const char *functions_deno(const functions_settings *s);

/* FUNCTIONS_BOOTSTRAP_DIR, or where pgstack installed main.ts and child.ts. */
const char *functions_bootstrap_dir(const functions_settings *s);

/* The environment variables the runtime passes on to every function's
 * deno when set (registries, proxies): NULL-terminated. */
extern const char *const functions_passed_env[];

/* Path of the runtime's Unix socket (in the process's own memory). */
const char *functions_runtime_socket(const functions_settings *s);

#endif
