/* The functions' environment file; see env_file.h. */
#include "functions/env_file.h"

#include "core/digest.h"
#include "core/errors.h"
#include "core/log.h"
#include "functions/functions_settings.h"
#include "db/error.h"
#include "db/txn.h"
#include "functions/secrets.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRETS_SQL "select name, value from pgstack_functions.secret_values()"

static char cached_version[32];
static char cached_hash[65];

static void add_if_set(json_object *env, const char *name, const char *value)
{
    if (value && *value)
        json_object_object_add(env, name, json_object_new_string(value));
}

/* Project secrets into env; one that cannot be opened (JWT_SECRET differs
 * from the one it was set with) is left out and logged. */
static void add_secrets(json_object *env, PGresult *r, const char *jwt_secret)
{
    for (int i = 0; i < PQntuples(r); i++) {
        size_t len = 0;
        unsigned char *sealed = PQunescapeBytea((unsigned char *)PQgetvalue(r, i, 1), &len);
        char *plain = sealed ? malloc(len + 1) : NULL;
        bool ok = plain && functions_secret_open(jwt_secret, sealed, len, plain);
        if (ok)
            add_if_set(env, PQgetvalue(r, i, 0), plain);
        else
            log_event("functions: secret %s cannot be opened with this JWT_SECRET; left out",
                      PQgetvalue(r, i, 0));
        free(plain);
        PQfreemem(sealed);
    }
}

static bool write_once(const char *path, const char *text)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return true;
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

const char *functions_env_file(app_ctx *app, arena *a, const char *secrets_version, response *res)
{
    const functions_settings *s = app->settings;
    if (strcmp(cached_version, secrets_version) == 0)
        return cached_hash;
    db_txn *t = db_txn_new(a, app->db, NULL);
    int i = db_txn_add(t, SECRETS_SQL, 0, NULL);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return NULL;
    }
    json_object *env = json_object_new_object();
    add_secrets(env, db_txn_result(t, i), app->cfg.jwt_secret);
    add_if_set(env, "SUPABASE_URL", s->supabase_url);
    add_if_set(env, "SUPABASE_ANON_KEY", s->anon_key);
    add_if_set(env, "SUPABASE_SERVICE_ROLE_KEY", s->service_key);
    add_if_set(env, "SUPABASE_DB_URL", s->db_url);
    const char *text = arena_strdup(a, json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN));
    json_object_put(env);
    char hash[65], path[4200];
    sha256_hex(text, strlen(text), hash);
    snprintf(path, sizeof path, "%s/env/%s.json", s->runtime_dir, hash);
    if (!write_once(path, text)) {
        http_error(res, 500, "cannot write the functions' environment under FUNCTIONS_RUNTIME_DIR");
        return NULL;
    }
    snprintf(cached_version, sizeof cached_version, "%s", secrets_version);
    memcpy(cached_hash, hash, sizeof hash);
    return cached_hash;
}
