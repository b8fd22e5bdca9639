/* The database caller of a request: its verified role and claims, and the
 * request.method / request.path / request.headers settings PostgREST
 * exposes to SQL. Credential headers (authorization, apikey, cookie) are
 * left out of request.headers so they never reach database logs. */
#ifndef PGSTACK_WORKER_CALLER_H
#define PGSTACK_WORKER_CALLER_H

#include "core/request.h"
#include "db/txn.h"

/* The caller switches to the role of its verified JWT. */
db_caller db_caller_from_request(const request *req, long statement_timeout_ms);

#endif
