/* Replies for database failures every area shares: 503 when the database
 * cannot be reached, and a JSON error for a failed statement. Areas with
 * their own error vocabulary (REST's PostgREST codes) map SQLSTATEs first
 * and fall back to this. */
#ifndef PGSTACK_DB_REPLY_H
#define PGSTACK_DB_REPLY_H

#include "core/response.h"
#include "db/txn.h"

void db_reply_failure(response *res, db_txn *t, db_status st);

#endif
