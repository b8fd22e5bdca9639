/* Database failure replies; see reply.h. */
#include "db/reply.h"

#include "core/errors.h"

#include <string.h>

void db_reply_failure(response *res, db_txn *t, db_status st)
{
    if (st == DB_UNAVAILABLE) {
        http_error(res, 503, "database unavailable");
        return;
    }
    PGresult *err = db_txn_error(t, NULL);
    const char *state = err ? PQresultErrorField(err, PG_DIAG_SQLSTATE) : NULL;
    const char *message = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (state && strcmp(state, "57014") == 0)
        http_error(res, 503, "statement timeout");
    else if (state && strcmp(state, "42501") == 0)
        http_error(res, 403, "permission denied: %s", message ? message : "");
    else
        http_error(res, 500, "database error: %s", message ? message : "unknown");
}
