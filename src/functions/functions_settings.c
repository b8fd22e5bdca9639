/* The functions area's configuration keys; see functions_settings.h. */
#include "functions/functions_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PGSTACK_FUNCTIONS_BOOTSTRAP_DIR
#define PGSTACK_FUNCTIONS_BOOTSTRAP_DIR "/usr/share/pgstack/functions"
#endif

#define OFF(field) offsetof(functions_settings, field)

static const config_key FUNCTIONS_KEYS[] = {
    /* 8 workers: each waits on the runtime for most of its request */
    CONFIG_AREA_LIMIT_KEYS("FUNCTIONS", "pgstack-functions", "/functions/v1", "8", "6291456"),
    {.name = "DENO_PATH",
     .type = CONFIG_STRING,
     .offset = OFF(deno_path),
     .description = "the deno executable (empty: `deno` on PATH); without one, functions answer "
                    "503"},
    {.name = "FUNCTIONS_RUNTIME_DIR",
     .type = CONFIG_STRING,
     .default_value = "/var/lib/pgstack/functions",
     .offset = OFF(runtime_dir),
     .description = "the runtime's and the functions' sockets, deployed function folders and "
                    "module cache (at most 72 bytes: socket paths)"},
    {.name = "FUNCTIONS_BOOTSTRAP_DIR",
     .type = CONFIG_STRING,
     .offset = OFF(bootstrap_dir),
     .description = "pgstack's runtime scripts main.ts and child.ts (empty: where pgstack "
                    "installed them, $(pkgdatadir)/functions)"},
    {.name = "FUNCTIONS_TIMEOUT",
     .type = CONFIG_INT,
     .default_value = "150",
     .offset = OFF(timeout_s),
     .min = 1,
     .max = 86400,
     .description = "wall clock of one invocation in seconds (then 504, and the function's "
                    "process ends)"},
    {.name = "FUNCTIONS_MEMORY_MB",
     .type = CONFIG_INT,
     .default_value = "256",
     .offset = OFF(memory_mb),
     .min = 16,
     .max = 65536,
     .description = "V8 heap limit of a function's process in MB (beyond: 546 WORKER_LIMIT)"},
    {.name = "FUNCTIONS_IDLE_TIMEOUT",
     .type = CONFIG_INT,
     .default_value = "300",
     .offset = OFF(idle_timeout_s),
     .min = 1,
     .max = 86400,
     .description = "seconds without calls after which a function's process ends"},
    {.name = "FUNCTIONS_SUPABASE_URL",
     .type = CONFIG_STRING,
     .offset = OFF(supabase_url),
     .check = config_check_http_url,
     .description = "SUPABASE_URL given to functions: this pgstack's URL as functions reach it"},
    {.name = "FUNCTIONS_DB_URL",
     .type = CONFIG_STRING,
     .offset = OFF(db_url),
     .description = "SUPABASE_DB_URL given to functions (empty: not given)"},
    {.name = "ANON_KEY",
     .type = CONFIG_STRING,
     .offset = OFF(anon_key),
     .description = "the anon key, given to functions as SUPABASE_ANON_KEY"},
    {.name = "SERVICE_ROLE_KEY",
     .type = CONFIG_STRING,
     .offset = OFF(service_key),
     .description = "the service_role key, given to functions as SUPABASE_SERVICE_ROLE_KEY"},
    {.name = "FUNCTIONS_NPM_REGISTRY",
     .type = CONFIG_STRING,
     .offset = OFF(npm_registry),
     .check = config_check_optional_http_url,
     .description = "npm registry for npm: imports, e.g. a company mirror (empty: "
                    "registry.npmjs.org)"},
    {.name = "FUNCTIONS_JSR_URL",
     .type = CONFIG_STRING,
     .offset = OFF(jsr_url),
     .check = config_check_optional_http_url,
     .description = "JSR registry for jsr: imports, e.g. a company mirror (empty: https://jsr.io)"},
};

const char *const functions_passed_env[] = {
    "NPM_CONFIG_REGISTRY", "JSR_URL",     "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
    "http_proxy",          "https_proxy", "no_proxy",   NULL,
};

const config_section functions_config_section = {
    .name = "functions",
    .keys = FUNCTIONS_KEYS,
    .key_count = sizeof FUNCTIONS_KEYS / sizeof FUNCTIONS_KEYS[0],
    .size = sizeof(functions_settings),
};

/* DENO_PATH, or `deno` on PATH; NULL when none is executable. */
static char *resolve_deno(const char *configured)
{
    if (configured && *configured)
        return access(configured, X_OK) == 0 ? strdup(configured) : NULL;
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
        size_t len = strcspn(p, ":");
        char *candidate = NULL;
        if (len > 0 && asprintf(&candidate, "%.*s/deno", (int)len, p) > 0 &&
            access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
        p += len + (p[len] == ':');
    }
    return NULL;
}

const char *functions_deno(const functions_settings *s)
{
    static char *deno;
    static const functions_settings *resolved_for;
    if (resolved_for != s) {
        free(deno);
        deno = resolve_deno(s->deno_path);
        resolved_for = s;
    }
    return deno;
}

const char *functions_bootstrap_dir(const functions_settings *s)
{
    return s->bootstrap_dir && *s->bootstrap_dir ? s->bootstrap_dir
                                                 : PGSTACK_FUNCTIONS_BOOTSTRAP_DIR;
}

const char *functions_runtime_socket(const functions_settings *s)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/runtime.sock", s->runtime_dir);
    return path;
}
