/* A failed caller transaction as a value, extracted once (unavailable, or
 * the failed statement's SQLSTATE, message, detail and hint), and the one
 * SQLSTATE -> HTTP status table every area shares (PostgREST's
 * pgErrorStatus). Areas override specific codes (REST: an anonymous 42501
 * is 401, PGRST raises; auth: its rate limit and duplicate email) and fall
 * back to this table; db_reply_failure is the generic JSON reply. */
#ifndef PGSTACK_DB_ERROR_H
#define PGSTACK_DB_ERROR_H

#include "core/response.h"
#include "db/txn.h"

typedef struct db_error {
    bool unavailable;     /* the database could not be reached */
    const char *sqlstate; /* "" when unknown */
    const char *message;  /* primary message, "" when unknown */
    const char *detail;   /* or NULL */
    const char *hint;     /* or NULL */
} db_error;

db_error db_error_of(db_txn *t, db_status st);

/* The HTTP status of a SQLSTATE by the shared table, or fallback when the
 * table does not list its code or class. */
int db_error_status(const char *sqlstate, int fallback);

/* The generic reply: 503 unavailable, else {"error": ...} with the table's
 * status (500 for codes it does not list). */
void db_reply_failure(response *res, db_txn *t, db_status st);

#endif
