/* Transactions of the auth worker: they run as the role pgstack_auth (the
 * only role besides service_role that reaches the auth tables), with the
 * caller's verified claims visible to SQL, and may first count the request
 * against a rate-limit bucket kept in PostgreSQL (shared by every worker on
 * every host). */
#ifndef PGSTACK_AUTH_TXN_H
#define PGSTACK_AUTH_TXN_H

#include "core/request.h"
#include "core/response.h"
#include "db/txn.h"

#include <stdbool.h>

db_txn *auth_txn_new(request *req);

/* Counts this request in bucket "<kind>:<client address>"; over max a
 * minute the transaction fails with a 429. */
void auth_txn_rate_limit(db_txn *t, request *req, const char *kind, long max);

/* Runs t; on failure replies (429/409/503/500) and returns false. */
bool auth_txn_run(db_txn *t, request *req, response *res);

#endif
