/* Building the database caller of a request; see caller.h. */
#include "worker/caller.h"

#include "core/auth_ctx.h"
#include "core/json_text.h"

#include <string.h>

static bool secret_header(const char *name)
{
    return strcmp(name, "authorization") == 0 || strcmp(name, "apikey") == 0 ||
           strcmp(name, "cookie") == 0;
}

static const char *headers_json(const request *req)
{
    json_object *obj = json_arena_owned(req->arena, json_object_new_object());
    for (size_t i = 0; i < req->headers.count; i++) {
        const header *h = &req->headers.items[i];
        if (!secret_header(h->name))
            json_object_object_add(obj, h->name, json_object_new_string(h->value));
    }
    return json_text(req->arena, obj);
}

db_caller db_caller_from_request(const request *req, long statement_timeout_ms)
{
    const auth_ctx *auth = req->auth;
    bool known = auth && auth->present;
    return (db_caller){
        .db_role = known ? auth->role : NULL,
        .claim_role = known ? auth->role : "",
        .claims_json = known ? auth->claims_json : "",
        .sub = known ? auth->sub : "",
        .method = req->method,
        .path = req->full_path,
        .headers_json = headers_json(req),
        .statement_timeout_ms = statement_timeout_ms,
    };
}
