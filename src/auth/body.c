/* Auth request bodies; see body.h. */
#include "auth/body.h"

#include "auth/reply.h"
#include "core/json_text.h"

#include <string.h>
#include <strings.h>

json_object *auth_body(request *req, response *res)
{
    if (req->body_len == 0)
        return json_arena_owned(req->arena, json_object_new_object());
    json_object *obj = json_arena_owned(req->arena, json_parse_exact(req->body, req->body_len));
    if (!json_object_is_type(obj, json_type_object)) {
        auth_error_body(res, "bad_json", "expected a JSON object");
        return NULL;
    }
    return obj;
}

static bool wrong_type(response *res, const char *key, const char *type)
{
    char detail[160];
    snprintf(detail, sizeof detail, "%s must be %s", key, type);
    auth_error_body(res, "bad_json", detail);
    return false;
}

bool auth_body_string(json_object *body, const char *key, const char **out, response *res)
{
    json_object *v;
    if (!json_object_object_get_ex(body, key, &v) || v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_string))
        return wrong_type(res, key, "a string");
    *out = json_object_get_string(v);
    return true;
}

bool auth_body_bool(json_object *body, const char *key, bool *out, response *res)
{
    json_object *v;
    if (!json_object_object_get_ex(body, key, &v) || v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_boolean))
        return wrong_type(res, key, "true or false");
    *out = json_object_get_boolean(v);
    return true;
}

bool auth_body_object_text(request *req, json_object *body, const char *key, const char **out,
                           response *res)
{
    json_object *v;
    if (!json_object_object_get_ex(body, key, &v) || v == NULL)
        return true;
    if (!json_object_is_type(v, json_type_object))
        return wrong_type(res, key, "an object");
    *out = json_text(req->arena, v);
    return true;
}

#define FORM_TYPE "application/x-www-form-urlencoded"

static bool is_form_type(const char *content_type)
{
    size_t n = strlen(FORM_TYPE);
    if (!content_type || strncasecmp(content_type, FORM_TYPE, n) != 0)
        return false;
    const char *rest = content_type + n;
    rest += strspn(rest, " \t");
    return *rest == '\0' || *rest == ';';
}

bool auth_form_body(request *req, response *res, query_params *out)
{
    if (!is_form_type(request_header(req, "content-type"))) {
        auth_error_body(res, "validation_failed", "expected application/x-www-form-urlencoded");
        return false;
    }
    if (req->body_len != strlen(req->body ? req->body : "")) {
        auth_error_body(res, "validation_failed", "NUL byte not allowed");
        return false;
    }
    query_status st = query_parse(req->arena, req->body, req->body_len, out);
    if (st != QUERY_OK) {
        auth_error_body(res, "validation_failed", query_status_message(st));
        return false;
    }
    return true;
}
