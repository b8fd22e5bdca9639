/* The worker's one database connection: opened lazily, checked before each
 * use (a connection the server closed is noticed without a round trip) and
 * reopened by itself once the database is back, so a database outage costs
 * 503 replies, never a worker restart. Also holds the per-connection cache
 * of prepared statement names. */
#ifndef PGSTACK_DB_CONN_H
#define PGSTACK_DB_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>

typedef struct db_conn db_conn;

db_conn *db_conn_new(const char *url, long connect_timeout_s, const char *application_name,
                     bool prepared_statements);
void db_conn_free(db_conn *c);

/* A connected PGconn, connecting now if needed; NULL when unavailable. */
PGconn *db_conn_get(db_conn *c);

/* The connection as it is, inside a transaction block its user opened
 * (db_conn_get would drop it for not being idle); NULL when it was lost. */
PGconn *db_conn_in_transaction(db_conn *c);

/* Closes the connection after a failure; the next db_conn_get reconnects. */
void db_conn_drop(db_conn *c);

bool db_conn_uses_prepared(const db_conn *c);

/* Counts successful connects: a change means a new session, so session
 * state (LISTEN, caches of what the server holds) must be set up again. */
unsigned long db_conn_generation(const db_conn *c);

/* Name of the prepared statement for sql. *needs_prepare is true when the
 * caller must send its Parse now (first use on this connection). NULL: use
 * an unnamed statement (prepared statements off, or the cache is full). */
const char *db_conn_statement_name(db_conn *c, const char *sql, bool *needs_prepare);
/* Records whether the Parse sent for name succeeded. */
void db_conn_statement_prepared(db_conn *c, const char *name, bool ok);

#endif
