/* Starting the deno runtime; see runtime.h. */
#include "functions/runtime.h"

#include "core/log.h"
#include "functions/functions_settings.h"
#include "worker/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOCKET_PATH_MAX 107
/* util-linux: starts each function's deno with a parent-death signal */
#define SETPRIV_PATH "/usr/bin/setpriv"

static bool make_dir(const char *parent, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", parent, *name ? "/" : "", name);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        log_event("functions runtime: cannot create %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

bool functions_runtime_setup(struct app *app)
{
    const functions_settings *s = app->settings;
    if (!functions_deno(s)) {
        log_event("functions runtime: no usable deno (DENO_PATH=\"%s\"); invocations answer 503",
                  s->deno_path ? s->deno_path : "");
        return false;
    }
    if (access(SETPRIV_PATH, X_OK) != 0) {
        log_event("functions runtime: %s (util-linux) is missing; invocations answer 503",
                  SETPRIV_PATH);
        return false;
    }
    /* the functions' own sockets: <dir>/sock/<24 hex digits>.sock */
    if (strlen(s->runtime_dir) + strlen("/sock/.sock") + 24 > SOCKET_PATH_MAX) {
        log_event("functions runtime: FUNCTIONS_RUNTIME_DIR is too long for a Unix socket path");
        return false;
    }
    return make_dir(s->runtime_dir, "") && make_dir(s->runtime_dir, "fn") &&
           make_dir(s->runtime_dir, "env") && make_dir(s->runtime_dir, "cache") &&
           make_dir(s->runtime_dir, "sock");
}

/* "NAME=value", or NULL when value is empty. */
static char *env_entry(const char *name, const char *value)
{
    char *entry = NULL;
    if (!value || !*value || asprintf(&entry, "%s=%s", name, value) < 0)
        return NULL;
    return entry;
}

/* The value passed on as name: the registries from the settings, the
 * proxy variables from pgstack's own environment. */
static const char *passed_value(const functions_settings *s, const char *name)
{
    if (strcmp(name, "NPM_CONFIG_REGISTRY") == 0)
        return s->npm_registry;
    if (strcmp(name, "JSR_URL") == 0)
        return s->jsr_url;
    return getenv(name);
}

/* The runtime's environment: a fixed base and the variables of
 * functions_passed_env that have a value; main.ts passes those on to
 * every function's deno. */
static char **runtime_env(const functions_settings *s, char *deno_dir)
{
    static char *envp[16];
    size_t n = 0;
    envp[n++] = deno_dir;
    envp[n++] = "NO_COLOR=1";
    envp[n++] = "DENO_TLS_CA_STORE=system,mozilla";
    envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    for (size_t i = 0; functions_passed_env[i]; i++) {
        char *entry = env_entry(functions_passed_env[i], passed_value(s, functions_passed_env[i]));
        if (entry)
            envp[n++] = entry;
    }
    envp[n] = NULL;
    return envp;
}

/* The names of functions_passed_env, comma-separated: main.ts's
 * --allow-env and its --passed-env list. */
static void passed_env_names(char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; functions_passed_env[i] && len < size; i++)
        len +=
            (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", functions_passed_env[i]);
}

int functions_runtime_run(void *arg)
{
    app_ctx *app = arg;
    const functions_settings *s = app->settings;
    char *deno = (char *)functions_deno(s);
    const char *bootstrap = functions_bootstrap_dir(s);
    char main_ts[4096], child_ts[4096], read_flag[8300], write_flag[4200], run_flag[4200];
    char deno_dir[4200], memory[32], timeout[32], idle[32], passed[200], env_flag[220];
    passed_env_names(passed, sizeof passed);
    snprintf(env_flag, sizeof env_flag, "--allow-env=%s", passed);
    snprintf(main_ts, sizeof main_ts, "%s/main.ts", bootstrap);
    snprintf(child_ts, sizeof child_ts, "%s/child.ts", bootstrap);
    snprintf(read_flag, sizeof read_flag, "--allow-read=%s,%s", s->runtime_dir, bootstrap);
    snprintf(write_flag, sizeof write_flag, "--allow-write=%s", s->runtime_dir);
    snprintf(run_flag, sizeof run_flag, "--allow-run=%s,%s", deno, SETPRIV_PATH);
    snprintf(deno_dir, sizeof deno_dir, "DENO_DIR=%s/cache", s->runtime_dir);
    snprintf(memory, sizeof memory, "%ld", s->memory_mb);
    snprintf(timeout, sizeof timeout, "%ld", s->timeout_s);
    snprintf(idle, sizeof idle, "%ld", s->idle_timeout_s);
    char *const argv[] = {
        deno,          "run",          "--no-prompt",  "--quiet",
        read_flag,     write_flag,     "--allow-net",  run_flag,
        env_flag,      main_ts,        "--socket",     (char *)functions_runtime_socket(s),
        "--root",      s->runtime_dir, "--deno",       deno,
        "--child",     child_ts,       "--memory-mb",  memory,
        "--timeout-s", timeout,        "--setpriv",    SETPRIV_PATH,
        "--idle-s",    idle,           "--passed-env", passed,
        NULL,
    };
    execve(deno, argv, runtime_env(s, deno_dir));
    log_event("functions runtime: cannot run %s: %s", deno, strerror(errno));
    return 127;
}
