/* The one place that writes error replies. Every error body is JSON with an
 * "error" message (spec); areas whose clients read more fields (PostgREST's
 * message/code/details/hint, GoTrue's msg/error_description) pass them in
 * `extra`, which is merged into the body. */
#ifndef PGSTACK_ERRORS_H
#define PGSTACK_ERRORS_H

#include "core/response.h"

#include <json-c/json.h>

void http_error(response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like http_error with further fields; takes ownership of extra (may be NULL). */
void http_error_with(response *res, int status, const char *message, json_object *extra);

#endif
