/* The functions area's settings; see functions_settings.h. */
#include "functions/functions_settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PGSTACK_FUNCTIONS_BOOTSTRAP_DIR
#define PGSTACK_FUNCTIONS_BOOTSTRAP_DIR "/usr/share/pgstack/functions"
#endif

#define OFF(field) offsetof(functions_settings, field)

static const functions_setting_key KEYS[] = {
    {"DENO_PATH", false, "", OFF(deno_path), 0, 0,
     "the deno executable (empty: `deno` on PATH); without one, functions answer 503"},
    {"FUNCTIONS_RUNTIME_DIR", false, "/var/lib/pgstack/functions", OFF(runtime_dir), 0, 0,
     "the runtime's socket, deployed function folders and module cache"},
    {"FUNCTIONS_BOOTSTRAP_DIR", false, PGSTACK_FUNCTIONS_BOOTSTRAP_DIR, OFF(bootstrap_dir), 0, 0,
     "pgstack's runtime scripts (main.ts, child.ts)"},
    {"FUNCTIONS_TIMEOUT", true, "150", OFF(timeout_s), 1, 86400,
     "wall clock of one invocation in seconds (then 504, and the function's process ends)"},
    {"FUNCTIONS_MEMORY_MB", true, "256", OFF(memory_mb), 16, 65536,
     "V8 heap limit of a function's process in MB (beyond: 546 WORKER_LIMIT)"},
    {"FUNCTIONS_IDLE_TIMEOUT", true, "300", OFF(idle_timeout_s), 1, 86400,
     "seconds without calls after which a function's process ends"},
    {"FUNCTIONS_SUPABASE_URL", false, "", OFF(supabase_url), 0, 0,
     "SUPABASE_URL given to functions (empty: API_EXTERNAL_URL, else SITE_URL)"},
    {"FUNCTIONS_DB_URL", false, "", OFF(db_url), 0, 0,
     "SUPABASE_DB_URL given to functions (empty: not given)"},
    {"ANON_KEY", false, "", OFF(anon_key), 0, 0, NULL},
    {"SERVICE_ROLE_KEY", false, "", OFF(service_key), 0, 0, NULL},
    {"JWT_SECRET", false, "", OFF(jwt_secret), 0, 0, NULL},
    {"API_EXTERNAL_URL", false, "", (size_t)-1, 0, 0, NULL},
    {"SITE_URL", false, "", (size_t)-2, 0, 0, NULL},
};
#define KEY_COUNT (sizeof KEYS / sizeof KEYS[0])

const functions_setting_key *functions_setting_keys(size_t *count)
{
    *count = KEY_COUNT;
    return KEYS;
}

static const char *env_value(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (; env && *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return NULL;
}

/* The last value of name in KEY=VALUE text (quotes stripped), malloc'd. */
static char *file_value(const char *text, const char *name)
{
    char *found = NULL;
    size_t n = strlen(name);
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1;
            size_t vl = len - n - 1;
            while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            if (vl >= 2 && (v[0] == '\'' || v[0] == '"') && v[vl - 1] == v[0]) {
                v++;
                vl -= 2;
            }
            free(found);
            found = strndup(v, vl);
        }
        p = eol ? eol + 1 : p + len;
    }
    return found;
}

static bool store(functions_settings *s, const functions_setting_key *k, const char *v, char *err,
                  size_t errlen)
{
    if (k->offset >= sizeof *s)
        return true;
    char *field = (char *)s + k->offset;
    if (!k->is_int) {
        *(char **)field = strdup(v);
        return true;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < k->min || n > k->max) {
        snprintf(err, errlen, "%s: expected a whole number from %ld to %ld, got \"%s\"", k->name,
                 k->min, k->max, v);
        return false;
    }
    *(long *)field = n;
    return true;
}

/* DENO_PATH, or `deno` on PATH; NULL when none is executable. */
static char *resolve_deno(const char *configured, const char *path)
{
    if (configured && *configured)
        return access(configured, X_OK) == 0 ? strdup(configured) : NULL;
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

bool functions_settings_load(functions_settings *s, char *const *env, const char *file_text,
                             char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const char *api_url = NULL, *site_url = NULL;
    char *from_file[KEY_COUNT] = {0};
    bool ok = true;
    for (size_t i = 0; i < KEY_COUNT && ok; i++) {
        const char *v = env_value(env, KEYS[i].name);
        if (!v && file_text)
            v = from_file[i] = file_value(file_text, KEYS[i].name);
        if (!v)
            v = KEYS[i].default_value;
        if (KEYS[i].offset == (size_t)-1)
            api_url = v;
        else if (KEYS[i].offset == (size_t)-2)
            site_url = v;
        else
            ok = store(s, &KEYS[i], v, err, errlen);
    }
    if (ok && !*s->supabase_url) {
        free(s->supabase_url);
        s->supabase_url = strdup(api_url && *api_url ? api_url : site_url ? site_url : "");
    }
    for (size_t i = 0; i < KEY_COUNT; i++)
        free(from_file[i]);
    if (ok)
        s->deno = resolve_deno(s->deno_path, env_value(env, "PATH"));
    return ok;
}

static char *read_config_file(char *const *env)
{
    const char *path = env_value(env, "PGSTACK_CONFIG");
    FILE *f = fopen(path && *path ? path : "/etc/pgstack/pgstack.conf", "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t cap = 0;
    FILE *mem = open_memstream(&text, &cap);
    char buf[4096];
    size_t n;
    while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(f);
    if (mem)
        fclose(mem);
    return text;
}

extern char **environ;

const functions_settings *functions_settings_get(void)
{
    static functions_settings settings;
    static int state; /* 0 not loaded, 1 ok, -1 invalid */
    if (state == 0) {
        char err[256];
        char *text = read_config_file(environ);
        state = functions_settings_load(&settings, environ, text, err, sizeof err) ? 1 : -1;
        if (state < 0)
            fprintf(stderr, "pgstack-functions: %s\n", err);
        free(text);
    }
    return state > 0 ? &settings : NULL;
}

const char *functions_runtime_socket(const functions_settings *s)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/runtime.sock", s->runtime_dir);
    return path;
}
