/* The worker's current schema catalog and its refresh; see
 * catalog_cache.h. Workers are processes, so the state is per process. */
#include "rest/catalog/catalog_cache.h"

#include "core/log.h"
#include "rest/catalog/catalog_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_SQL "select pgstack.catalog_check($1::int8)"
#define LISTEN_SQL "listen " REST_CATALOG_CHANNEL
#define VERSION_SQL "select version from pgstack.catalog_version"

static struct {
    rest_catalog *catalog;
    bool stale;
    unsigned long listen_generation; /* connection generation that LISTENs */
} current;

void rest_catalog_invalidate(void)
{
    current.stale = true;
}

/* LISTEN on a new session, before loading, so no change slips between. */
static db_status listen_now(app_ctx *app, arena *a)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    db_txn_add(t, LISTEN_SQL, 0, NULL);
    return db_txn_run(t, app_txn_wait_ms(app));
}

/* Consumes pending notifications; true when the catalog channel had one. */
static bool notified(PGconn *pg)
{
    bool hit = false;
    PGnotify *n;
    while ((n = PQnotifies(pg)) != NULL) {
        hit |= strcmp(n->relname, REST_CATALOG_CHANNEL) == 0;
        PQfreemem(n);
    }
    return hit;
}

static bool watch_changes(app_ctx *app, arena *a, PGconn *pg, rest_error *err)
{
    unsigned long generation = db_conn_generation(app->db);
    if (generation != current.listen_generation) {
        if (listen_now(app, a) != DB_OK)
            return rest_error_set(err, a, 503, "PGRST001", NULL, NULL, "database unavailable");
        current.listen_generation = db_conn_generation(app->db);
        current.stale = true;
        return true;
    }
    if (notified(pg))
        current.stale = true;
    return true;
}

static void log_loaded(const rest_catalog *c)
{
    log_event("schema catalog loaded: %zu relations, %zu relationships, %zu functions "
              "(version %lld)",
              c->relation_count, c->fk_count, c->function_count, c->version);
}

static bool reload(app_ctx *app, arena *a, rest_error *err)
{
    const str_list *schemas = &app->cfg.db_schemas;
    db_status st;
    char why[256] = "";
    rest_catalog *c = rest_catalog_load(app->db, (const char *const *)schemas->items,
                                        schemas->count, app_txn_wait_ms(app), &st, why, sizeof why);
    if (!c) {
        if (st == DB_UNAVAILABLE)
            return rest_error_set(err, a, 503, "PGRST001", NULL, NULL, "database unavailable");
        log_event("schema catalog load failed: %s", why);
        if (current.catalog)
            return true; /* keep serving with the previous one */
        return rest_error_set(err, a, 500, "PGRST002", why, NULL,
                              "Could not query the database for the schema cache");
    }
    rest_catalog_free(current.catalog);
    current.catalog = c;
    current.stale = false;
    log_loaded(c);
    return true;
}

const rest_catalog *rest_catalog_current(app_ctx *app, arena *a, rest_error *err)
{
    PGconn *pg = db_conn_get(app->db);
    if (!pg) {
        rest_error_set(err, a, 503, "PGRST001", NULL, NULL, "database unavailable");
        return NULL;
    }
    if (db_conn_uses_prepared(app->db) && !watch_changes(app, a, pg, err))
        return NULL;
    if ((!current.catalog || current.stale) && !reload(app, a, err))
        return NULL;
    return current.catalog;
}

static bool catalog_outdated(app_ctx *app, arena *a, const rest_catalog *c)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    int q = db_txn_add(t, VERSION_SQL, 0, NULL);
    if (db_txn_run(t, app_txn_wait_ms(app)) != DB_OK)
        return false;
    PGresult *r = db_txn_result(t, q);
    if (!r || PQntuples(r) != 1 || strtoll(PQgetvalue(r, 0, 0), NULL, 10) == c->version)
        return false;
    rest_catalog_invalidate();
    return true;
}

void rest_catalog_add_check(app_ctx *app, arena *a, db_txn *t, const rest_catalog *c)
{
    if (db_conn_uses_prepared(app->db))
        return;
    const char **params = arena_alloc(a, sizeof(char *));
    params[0] = arena_printf(a, "%lld", c->version);
    db_txn_add(t, CHECK_SQL, 1, params);
}

static bool catalog_changed(db_txn *t)
{
    PGresult *err = db_txn_error(t, NULL);
    const char *state = err ? PQresultErrorField(err, PG_DIAG_SQLSTATE) : NULL;
    if (!state || strcmp(state, REST_CATALOG_CHANGED_STATE) != 0)
        return false;
    rest_catalog_invalidate();
    return true;
}

/* Codes of plan errors that name something the catalog did not know (or
 * knew differently: an ambiguity a schema change may have removed). */
static bool names_unknown(const rest_error *e)
{
    static const char *const codes[] = {"PGRST200", "PGRST201", "PGRST202", "PGRST203",
                                        "PGRST204", "PGRST205", "42703"};
    for (size_t i = 0; e->code && i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(e->code, codes[i]) == 0)
            return true;
    return false;
}

bool rest_catalog_retry(app_ctx *app, arena *a, const rest_catalog *c, int attempt,
                        const rest_error *err, db_txn *t, db_status st)
{
    if (attempt + 1 >= REST_ATTEMPTS)
        return false;
    if (err)
        return names_unknown(err) && catalog_outdated(app, a, c);
    return st == DB_QUERY_ERROR && catalog_changed(t);
}
