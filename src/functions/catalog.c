/* The functions catalog; see catalog.h. Workers are processes, so the
 * cache is per process. */
#include "functions/catalog.h"

#include "core/errors.h"
#include "db/error.h"
#include "db/txn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOOKUP_SQL                                                                                 \
    "select runtime, verify_jwt, version, db_function, secrets_version "                           \
    "from pgstack_functions.lookup($1)"
#define LISTEN_SQL "listen " FUNCTIONS_CATALOG_CHANNEL
#define VERSION_SQL "select pgstack_functions.catalog_version()"
#define FILES_SQL "select pgstack_functions.deployment_files($1, $2)::text"

bool functions_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 128 ||
        !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* One cached lookup: found or not. Strings are the cache's own. */
typedef struct cached {
    char *name;
    bool found;
    bool verify_jwt;
    char *runtime, *version, *db_function, *secrets_version;
} cached;

static struct {
    cached items[FUNCTIONS_CACHE_MAX];
    size_t count;
    unsigned long listen_generation; /* connection generation that LISTENs */
    char version[32];                /* catalog_version when not listening */
    struct timespec checked;
} cache;

void functions_catalog_invalidate(void)
{
    for (size_t i = 0; i < cache.count; i++) {
        cached *c = &cache.items[i];
        free(c->name);
        free(c->runtime);
        free(c->version);
        free(c->db_function);
        free(c->secrets_version);
    }
    cache.count = 0;
}

static bool run_simple(app_ctx *app, arena *a, const char *sql, char *out, size_t outlen)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    int i = db_txn_add(t, sql, 0, NULL);
    if (db_txn_run(t, app_txn_wait_ms(app)) != DB_OK)
        return false;
    PGresult *r = db_txn_result(t, i);
    if (out)
        snprintf(out, outlen, "%s",
                 r && PQntuples(r) == 1 && PQnfields(r) == 1 ? PQgetvalue(r, 0, 0) : "");
    return true;
}

/* A session of our own: LISTEN (again after a reconnect, dropping what
 * may have been missed), then every notification drops the cache. */
static void watch_notifications(app_ctx *app, arena *a)
{
    PGconn *pg = db_conn_get(app->db); /* reads what the server sent */
    if (!pg)
        return;
    unsigned long generation = db_conn_generation(app->db);
    if (generation != cache.listen_generation) {
        functions_catalog_invalidate();
        if (run_simple(app, a, LISTEN_SQL, NULL, 0))
            cache.listen_generation = db_conn_generation(app->db);
        return;
    }
    bool hit = false;
    PGnotify *n;
    while ((n = PQnotifies(pg)) != NULL) {
        hit |= strcmp(n->relname, FUNCTIONS_CATALOG_CHANNEL) == 0;
        PQfreemem(n);
    }
    if (hit)
        functions_catalog_invalidate();
}

/* No session of our own (PgBouncer, transaction mode): compare the
 * catalog version at most every FUNCTIONS_CATALOG_CHECK_MS. */
static void check_version(app_ctx *app, arena *a)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long elapsed_ms = (now.tv_sec - cache.checked.tv_sec) * 1000L +
                      (now.tv_nsec - cache.checked.tv_nsec) / 1000000L;
    if (cache.checked.tv_sec != 0 && elapsed_ms < FUNCTIONS_CATALOG_CHECK_MS)
        return;
    char version[32];
    if (!run_simple(app, a, VERSION_SQL, version, sizeof version)) {
        functions_catalog_invalidate(); /* the lookup will report the failure */
        return;
    }
    cache.checked = now;
    if (strcmp(version, cache.version) != 0)
        functions_catalog_invalidate();
    memcpy(cache.version, version, sizeof version);
}

static char *copy(PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : strdup(PQgetvalue(r, 0, col));
}

/* The lookup query; the new cache entry or NULL with the reply in res. */
static const cached *fetch(app_ctx *app, arena *a, const char *name, response *res)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    const char *params[] = {name};
    int i = db_txn_add(t, LOOKUP_SQL, 1, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return NULL;
    }
    PGresult *r = db_txn_result(t, i);
    if (cache.count == FUNCTIONS_CACHE_MAX)
        functions_catalog_invalidate();
    cached *c = &cache.items[cache.count++];
    *c = (cached){.name = strdup(name), .found = PQntuples(r) > 0};
    if (c->found) {
        c->runtime = copy(r, 0);
        c->verify_jwt = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
        c->version = copy(r, 2);
        c->db_function = copy(r, 3);
        c->secrets_version = copy(r, 4);
    }
    return c;
}

static const cached *find(const char *name)
{
    for (size_t i = 0; i < cache.count; i++)
        if (strcmp(cache.items[i].name, name) == 0)
            return &cache.items[i];
    return NULL;
}

functions_lookup_result functions_catalog_lookup(app_ctx *app, arena *a, const char *name,
                                                 functions_entry *out, response *res)
{
    if (db_conn_uses_prepared(app->db))
        watch_notifications(app, a);
    else
        check_version(app, a);
    const cached *c = find(name);
    if (!c && !(c = fetch(app, a, name, res)))
        return FUNCTIONS_FAILED;
    if (!c->found)
        return FUNCTIONS_MISSING;
    *out = (functions_entry){
        .name = arena_strdup(a, name),
        .runtime = arena_strdup(a, c->runtime),
        .verify_jwt = c->verify_jwt,
        .version = arena_strdup(a, c->version),
        .db_function = c->db_function ? arena_strdup(a, c->db_function) : NULL,
        .secrets_version = arena_strdup(a, c->secrets_version),
    };
    return FUNCTIONS_FOUND;
}

const char *functions_catalog_files(app_ctx *app, arena *a, const functions_entry *fn,
                                    response *res)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    const char *params[] = {fn->name, fn->version};
    int i = db_txn_add(t, FILES_SQL, 2, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return NULL;
    }
    PGresult *r = db_txn_result(t, i);
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        functions_catalog_invalidate(); /* our lookup was out of date */
        http_error(res, 404, "function %s was redeployed or deleted during the request", fn->name);
        return NULL;
    }
    return arena_strdup(a, PQgetvalue(r, 0, 0));
}
