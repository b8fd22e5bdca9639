/* PostgREST's way for SQL to choose the HTTP error: a function, trigger or
 * pgstack.rest_single (migration 0006) raises SQLSTATE 'PGRST' with
 *   MESSAGE  '{"code": "...", "message": "...", "details": ..., "hint": "..."}'
 *   DETAIL   '{"status": 402, "headers": {"X-Name": "value"}}'
 * and the reply is that status with those headers and fields. A MESSAGE or
 * DETAIL that is not such JSON is PostgREST's 500 PGRST121. */
#ifndef PGSTACK_REST_ERROR_RAISE_H
#define PGSTACK_REST_ERROR_RAISE_H

#include "core/reply.h"

#define REST_RAISE_STATE "PGRST"

/* Renders into r the reply of a 'PGRST' error with the given MESSAGE and
 * DETAIL (either may be NULL). */
void rest_raise_render(reply *r, const char *message, const char *detail);

#endif
