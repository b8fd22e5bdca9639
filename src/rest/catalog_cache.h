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

#include "worker/app.h"
#include "db/txn.h"
#include "rest/catalog.h"
#include "rest/error.h"

#define REST_CATALOG_CHANNEL "pgstack_catalog"
#define REST_CATALOG_CHANGED_STATE "PGCAT"

/* The current catalog, (re)loading it when needed; NULL with err (503 when
 * the database is unavailable, 500 when loading failed). */
const rest_catalog *rest_catalog_current(app_ctx *app, arena *a, rest_error *err);

/* Forgets the current catalog: the next rest_catalog_current reloads. */
void rest_catalog_invalidate(void);

/* Asks the database whether the catalog is out of date (one round trip;
 * for requests that failed on a name the catalog did not know, in case the
 * change has not been noticed yet). True: it was, and is now invalidated. */
bool rest_catalog_outdated(app_ctx *app, arena *a, const rest_catalog *c);

/* Adds the version check to a caller transaction when the worker has no
 * LISTEN session (see above); does nothing otherwise. */
void rest_catalog_add_check(app_ctx *app, arena *a, db_txn *t, const rest_catalog *c);

/* The transaction failed because the catalog changed: invalidates it and
 * returns true (the caller runs the request again, once). */
bool rest_catalog_changed(db_txn *t);

#endif
