/* Replies for RAISE SQLSTATE 'PGRST'; see error_raise.h. Header names must
 * be HTTP tokens and values single lines; anything else is PGRST121. */
#include "rest/error_raise.h"

#include "core/json_text.h"
#include "rest/error.h"

#include <ctype.h>
#include <string.h>

static const char *member_string(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

static bool is_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return false;
    return true;
}

static bool single_line(const char *s)
{
    return !strpbrk(s, "\r\n");
}

/* The DETAIL object: status (100..599, default 400) and headers. */
static bool read_detail(reply *r, json_object *detail, int *status)
{
    json_object *v;
    *status = 400;
    if (!detail)
        return true;
    if (!json_object_is_type(detail, json_type_object))
        return false;
    if (json_object_object_get_ex(detail, "status", &v)) {
        if (!json_object_is_type(v, json_type_int))
            return false;
        *status = json_object_get_int(v);
        if (*status < 100 || *status > 599)
            return false;
    }
    if (!json_object_object_get_ex(detail, "headers", &v))
        return true;
    if (!json_object_is_type(v, json_type_object))
        return false;
    json_object_object_foreach(v, name, value)
    {
        if (!json_object_is_type(value, json_type_string) || !is_token(name) ||
            !single_line(json_object_get_string(value)))
            return false;
    }
    json_object_object_foreach(v, name2, value2)
    {
        reply_set_header(r, name2, json_object_get_string(value2));
    }
    return true;
}

static void reply_unparsable(reply *r, const char *what, const char *text)
{
    rest_error e;
    rest_error_set(
        &e, r->arena, 500, "PGRST121",
        arena_printf(r->arena, "Invalid JSON value for %s: '%s'", what, text ? text : ""),
        "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and "
        "optional keys: 'details', 'hint'.",
        "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error");
    rest_error_render(r, &e);
}

void rest_raise_render(reply *r, const char *message, const char *detail)
{
    json_object *msg = message ? json_parse_exact(message, strlen(message)) : NULL;
    json_object *det = detail ? json_parse_exact(detail, strlen(detail)) : NULL;
    json_arena_owned(r->arena, msg);
    json_arena_owned(r->arena, det);
    if (!msg || !json_object_is_type(msg, json_type_object) || !member_string(msg, "message") ||
        !member_string(msg, "code")) {
        reply_unparsable(r, "MESSAGE", message);
        return;
    }
    int status;
    if ((detail && !det) || !read_detail(r, det, &status)) {
        reply_unparsable(r, "DETAIL", detail);
        return;
    }
    rest_error e = {
        .status = status,
        .code = arena_strdup(r->arena, member_string(msg, "code")),
        .message = arena_strdup(r->arena, member_string(msg, "message")),
        .hint =
            member_string(msg, "hint") ? arena_strdup(r->arena, member_string(msg, "hint")) : NULL,
    };
    json_object *details;
    if (json_object_object_get_ex(msg, "details", &details) && details) {
        if (json_object_is_type(details, json_type_string))
            e.details = arena_strdup(r->arena, json_object_get_string(details));
        else
            e.details_json = json_text(r->arena, details);
    }
    rest_error_render(r, &e);
}
