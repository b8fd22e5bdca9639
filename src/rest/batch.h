/* POST /rest/v1/batch: several REST operations (GET, POST, PATCH, DELETE
 * on tables) in one transaction as the caller, under row-level security.
 * The body is checked first (batch_parse.h), then every operation is
 * parsed, planned and turned into SQL by the same stages as a single
 * request; a malformed operation is a 4xx before anything runs. The
 * statements go out in one pipelined block transaction; an operation that
 * references an earlier one's result starts a new round trip in the same
 * transaction, its values resolved as parameters.
 *   atomic: true   200 {"results": [{"id", "status", "data"}, ...]}; on a
 *                  failure everything is rolled back: 422 with the failed
 *                  operation's error and "failed_operation"
 *   atomic: false  each operation under a savepoint; 207 with a result per
 *                  operation, "data" or "error" by its status
 * A write's data is its representation (return=representation unless the
 * operation's Prefer says otherwise); for a POST of one object, the row
 * object. */
#ifndef PGSTACK_REST_BATCH_H
#define PGSTACK_REST_BATCH_H

#include "core/request.h"
#include "core/response.h"

void rest_batch_handle(request *req, response *res);

#endif
