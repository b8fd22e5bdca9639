/* JSON body readers of the storage area; see body.h. */
#include "storage/body.h"

#include "core/arena.h"
#include "storage/reply.h"

#include <string.h>

static void free_json(void *p)
{
    json_object_put(p);
}

json_object *storage_body_object(request *req, response *res)
{
    if (!req->body || req->body_len == 0) {
        json_object *empty = json_object_new_object();
        arena_defer(req->arena, free_json, empty);
        return empty;
    }
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                    json_tokener_get_parse_end(tok) == req->body_len;
    json_tokener_free(tok);
    if (!obj || !complete || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        storage_error(res, 400, "InvalidRequest", "the body must be a JSON object");
        return NULL;
    }
    arena_defer(req->arena, free_json, obj);
    return obj;
}

bool storage_body_string(response *res, json_object *body, const char *name, const char **out)
{
    json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(body, name, &v) || json_object_is_type(v, json_type_null))
        return true;
    if (!json_object_is_type(v, json_type_string)) {
        storage_error(res, 400, "InvalidRequest",
                      arena_printf(res->arena, "%s must be a string", name));
        return false;
    }
    *out = json_object_get_string(v);
    return true;
}

bool storage_body_long(response *res, json_object *body, const char *name, long *out)
{
    json_object *v;
    if (!json_object_object_get_ex(body, name, &v) || json_object_is_type(v, json_type_null))
        return true;
    if (!json_object_is_type(v, json_type_int)) {
        storage_error(res, 400, "InvalidRequest",
                      arena_printf(res->arena, "%s must be an integer", name));
        return false;
    }
    *out = (long)json_object_get_int64(v);
    return true;
}
