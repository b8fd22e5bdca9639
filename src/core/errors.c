/* Error replies; see errors.h. */
#include "core/errors.h"

#include "core/reply.h"

#include <stdarg.h>

void http_error_with(response *res, int status, const char *message, json_object *extra)
{
    reply r;
    reply_init(&r, res->arena);
    reply_error(&r, status, message, extra);
    response_send(res, &r);
}

void http_error(response *res, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(res->arena, fmt, ap);
    va_end(ap);
    http_error_with(res, status, message, NULL);
}
