/* Error replies; see errors.h. */
#include "core/errors.h"

#include <stdarg.h>
#include "core/json_text.h"

#include <string.h>

void http_error_with(response *res, int status, const char *message, json_object *extra)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", json_object_new_string(message));
    if (extra) {
        json_object_object_foreach(extra, key, val)
        {
            if (strcmp(key, "error") != 0)
                json_object_object_add(body, key, json_object_get(val));
        }
        json_object_put(extra);
    }
    response_json(res, status, json_object_to_json_string_ext(body, JSON_TEXT_FLAGS));
    json_object_put(body);
}

void http_error(response *res, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(res->arena, fmt, ap);
    va_end(ap);
    http_error_with(res, status, message, NULL);
}
