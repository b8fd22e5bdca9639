/* The worker's schema catalog: loaded on first use (never per request) and
 * reloaded before the next request once the schema changed. Two ways to
 * learn of a change, chosen by DB_PREPARED_STATEMENTS:
 *  - true (a session of our own): the connection LISTENs on the channel
 *    pgstack_catalog that migration 0004's event trigger and
 *    POST /api/catalog/refresh NOTIFY; a reconnect LISTENs again and
 *    reloads (notifications may have been missed meanwhile).
 *  - false (PgBouncer in transaction mode, no session state): each caller
 *    transaction starts with pgstack.catalog_check(version), which fails
 *    with SQLSTATE PGCAT when pgstack.catalog_version moved on; the handler
 *    then reloads and runs the request again. */
#ifndef PGSTACK_REST_CATALOG_CACHE_H
#define PGSTACK_REST_CATALOG_CACHE_H

#include "db/txn.h"
#include "rest/catalog/catalog.h"
#include "rest/error.h"
#include "worker/app.h"

#define REST_CATALOG_CHANNEL "pgstack_catalog"
#define REST_CATALOG_CHANGED_STATE "PGCAT"

/* The current catalog, (re)loading it when needed; NULL with err (503 when
 * the database is unavailable, 500 when loading failed). */
const rest_catalog *rest_catalog_current(app_ctx *app, arena *a, rest_error *err);

/* Forgets the current catalog: the next rest_catalog_current reloads. */
void rest_catalog_invalidate(void);

/* Adds the version check to a caller transaction when the worker has no
 * LISTEN session (see above); does nothing otherwise. */
void rest_catalog_add_check(app_ctx *app, arena *a, db_txn *t, const rest_catalog *c);

/* The one stale-catalog rule (as PostgreSQL's plancache has one place that
 * decides to re-plan). A request is planned and run at most REST_ATTEMPTS
 * times: attempt 0 on the cached catalog, attempt 1 on a fresh one. When
 * attempt 0 failed, this says whether to invalidate the catalog and try
 * again:
 *  - planning failed with err on a name the catalog may not know yet
 *    (relation, column, function, relationship) and the database says the
 *    catalog is out of date (one round trip); other plan errors are not
 *    worth a look at the database;
 *  - or the transaction t ended with st because the catalog changed under
 *    it (the version check of DB_PREPARED_STATEMENTS=false).
 * Pass err for a plan failure, else NULL with t and st. */
#define REST_ATTEMPTS 2
bool rest_catalog_retry(app_ctx *app, arena *a, const rest_catalog *c, int attempt,
                        const rest_error *err, db_txn *t, db_status st);

#endif
