/* REST error values and their JSON reply; see error.h. Database failures
 * are turned into errors in error_db.c. */
#include "rest/error.h"

#include "core/errors.h"

#include <stdarg.h>
#include <string.h>

bool rest_error_set(rest_error *e, arena *a, int status, const char *code, const char *details,
                    const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(a, fmt, ap);
    va_end(ap);
    *e = (rest_error){status, code, message, details, hint, NULL};
    return false;
}

void rest_error_from_parse(rest_error *e, const rest_parse_error *p)
{
    *e = (rest_error){p->status, p->code, p->message, p->details, p->hint, NULL};
}

static json_object *string_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

void rest_error_render(reply *r, const rest_error *e)
{
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "code", string_or_null(e->code));
    json_object_object_add(extra, "message", json_object_new_string(e->message));
    json_object *details = NULL;
    if (e->details_json)
        details = json_tokener_parse(e->details_json);
    if (!details)
        details = string_or_null(e->details);
    json_object_object_add(extra, "details", details);
    json_object_object_add(extra, "hint", string_or_null(e->hint));
    if (e->status == 401)
        reply_set_header(r, "WWW-Authenticate", "Bearer");
    reply_error(r, e->status, e->message, extra);
}

void rest_reply_error(response *res, const rest_error *e)
{
    reply r;
    reply_init(&r, res->arena);
    rest_error_render(&r, e);
    response_send(res, &r);
}
