/* Reading the arguments of an RPC; see rpc_args.h. */
#include "rest/rpc_args.h"

#include "core/json_text.h"

#include <string.h>
#include <strings.h>

static bool is_json_media(const char *content_type)
{
    if (!content_type || !*content_type)
        return true;
    size_t n = strcspn(content_type, "; \t");
    return n == strlen("application/json") && strncasecmp(content_type, "application/json", n) == 0;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* json-c parses JSON null as no object: tell it from a failure. */
static bool is_null_literal(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    return n >= 4 && strncmp(s, "null", 4) == 0 && blank(s + 4, n - 4);
}

static void object_keys(arena *a, json_object *obj, rest_rpc_args *out)
{
    out->keys = arena_alloc(a, ((size_t)json_object_object_length(obj) + 1) * sizeof(char *));
    json_object_object_foreach(obj, key, value)
    {
        (void)value;
        out->keys[out->key_count++] = arena_strdup(a, key);
    }
}

bool rest_rpc_args_from_body(arena *a, const char *body, size_t len, const char *content_type,
                             rest_rpc_args *out, rest_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!is_json_media(content_type))
        return rest_error_set(err, a, 415, "PGRST107", NULL,
                              "Send the arguments as application/json.",
                              "Content-Type not acceptable: %s", content_type);
    out->is_object = true;
    if (blank(body, len)) {
        out->payload = "{}";
        return true;
    }
    if (memchr(body, '\0', len))
        return rest_error_set(err, a, 400, "PGRST102", "the body contains a NUL byte", NULL,
                              "Empty or invalid json");
    json_object *doc = json_arena_owned(a, json_parse_exact(body, len));
    if (!doc && !is_null_literal(body, len))
        return rest_error_set(err, a, 400, "PGRST102", NULL, NULL, "Empty or invalid json");
    out->payload = body;
    out->is_object = json_object_is_type(doc, json_type_object);
    if (out->is_object)
        object_keys(a, doc, out);
    return true;
}

void rest_rpc_args_from_query(arena *a, const rest_request *rq, rest_rpc_args *out)
{
    memset(out, 0, sizeof(*out));
    out->is_object = true;
    out->keys = arena_alloc(a, (rq->rpc_arg_count + 1) * sizeof(char *));
    for (size_t i = 0; i < rq->rpc_arg_count; i++) {
        bool seen = false;
        for (size_t j = 0; j < out->key_count && !seen; j++)
            seen = strcmp(out->keys[j], rq->rpc_args[i].name) == 0;
        if (!seen)
            out->keys[out->key_count++] = rq->rpc_args[i].name;
    }
}

bool rest_rpc_args_read(request *req, const rest_request *rq, rest_rpc_args *out, rest_error *err)
{
    if (rq->method == REST_GET || rq->method == REST_HEAD) {
        rest_rpc_args_from_query(req->arena, rq, out);
        return true;
    }
    return rest_rpc_args_from_body(req->arena, req->body ? req->body : "", req->body_len,
                                   request_header(req, "content-type"), out, err);
}
