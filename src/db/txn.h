/* One transaction as the caller, sent with libpq pipeline mode so it costs
 * one network round trip: the caller's context (role, JWT claims, request
 * method/path/headers, statement timeout) is set with set_config(..., true)
 * in the first statement, then the area's statements follow, then Sync.
 * Statements between two Syncs form one implicit transaction: if any fails,
 * everything before it is rolled back and the rest is skipped.
 *
 * A block transaction (db_txn_new_block) starts with BEGIN instead, so it
 * stays open across several db_txn_run calls (each sends what was queued
 * since the last one, then Sync) until a queued COMMIT or ROLLBACK ends it;
 * after a failed statement the block is aborted until a ROLLBACK (TO
 * SAVEPOINT). db_txn_end_block rolls back whatever is still open: call it
 * whenever the work is over, so the connection is never left inside the
 * block. */
#ifndef PGSTACK_DB_TXN_H
#define PGSTACK_DB_TXN_H

#include "core/arena.h"
#include "db/conn.h"

#include <libpq-fe.h>

/* Who the transaction runs as. db_role is the role switched to (NULL: stay
 * the login role); claim_role is the JWT's role claim exposed to SQL. */
typedef struct db_caller {
    const char *db_role;
    const char *claim_role;
    const char *claims_json;
    const char *sub;
    const char *method;
    const char *path;
    const char *headers_json;
    long statement_timeout_ms;
} db_caller;

typedef enum {
    DB_OK = 0,
    DB_UNAVAILABLE, /* no connection, connection lost, or no answer in time */
    DB_QUERY_ERROR, /* a statement failed; see db_txn_error */
} db_status;

typedef struct db_txn db_txn;

/* caller may be NULL (no context is set). */
db_txn *db_txn_new(arena *a, db_conn *c, const db_caller *caller);

/* A block transaction: BEGIN, then the caller's context (caller may be NULL). */
db_txn *db_txn_new_block(arena *a, db_conn *c, const db_caller *caller);

/* Rolls back the block if it is still open (nothing to do after a COMMIT
 * that succeeded); false when the database could not be reached, in which
 * case the connection is dropped and the server rolls back. */
bool db_txn_end_block(db_txn *t, long timeout_ms);

/* Queues a statement with text parameters (NULL values are SQL NULL);
 * returns its index for db_txn_result. */
int db_txn_add(db_txn *t, const char *sql, int nparams, const char *const *values);

/* Sends everything queued since the last run and waits at most timeout_ms
 * for the results. DB_QUERY_ERROR and db_txn_error concern this run. */
db_status db_txn_run(db_txn *t, long timeout_ms);

/* Result of statement i (owned by the arena), NULL if it did not run. */
PGresult *db_txn_result(db_txn *t, int i);
/* The failed statement's result and index, after DB_QUERY_ERROR. */
PGresult *db_txn_error(db_txn *t, int *index);

#endif
