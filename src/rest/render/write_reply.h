/* The reply of a write, as PostgREST answers:
 *   POST    201; Location /t?pk=eq.v for return=headers-only when one row
 *           was written
 *   PATCH   200 with the rows for return=representation, else 204
 *   DELETE  200 with the rows for return=representation, else 204
 *   PUT     200 with the row for return=representation, else 204; 400
 *           PGRST115 when the body's key did not match the filters (nothing
 *           was written)
 * Content-Range (not for PUT) is "0-(n-1)" for a PATCH that changed n > 0
 * rows and "*" otherwise, then a slash and the total: n with a Prefer:
 * count, else "*". Preference-Applied lists the preferences honoured;
 * Content-Type comes with a body. */
#ifndef PGSTACK_REST_WRITE_REPLY_H
#define PGSTACK_REST_WRITE_REPLY_H

#include "core/reply.h"
#include "rest/model.h"
#include "rest/sql/sql_write.h"

#include <libpq-fe.h>

/* Replies from the result of the write statement of sql. */
void rest_write_reply(reply *r, const rest_request *rq, const rest_write_plan *p,
                      const rest_write_sql *sql, PGresult *main);

#endif
