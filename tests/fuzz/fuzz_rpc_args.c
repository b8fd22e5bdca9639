/* Fuzzes RPC arguments: a POST body (JSON object, a single json argument,
 * Prefer: params=single-object) or GET query arguments, matched against the
 * overloads of the fixture's functions, planned and turned into SQL.
 * Invariant beyond the SQL check: the argument names read from a body are
 * distinct and are keys of the object. Input: byte 0 picks the method,
 * the function and Content-Type, then NUL-separated body, query string,
 * Prefer. */
#include "harness.h"

#include "core/json_text.h"
#include "rest/rpc_args.h"

static void check_args(const char *body, const char *content_type)
{
    rest_rpc_args args;
    rest_error err = {0};
    if (!rest_rpc_args_from_body(fz_arena(), body, strlen(body), content_type, &args, &err)) {
        fz_check_error(&err);
        return;
    }
    for (size_t i = 0; i < args.key_count; i++)
        for (size_t j = 0; j < i; j++)
            FZ_ASSERT(strcmp(args.keys[i], args.keys[j]) != 0, "argument %s twice", args.keys[i]);
    if (!args.is_object || !args.payload)
        return;
    json_object *o =
        json_arena_owned(fz_arena(), json_parse_exact(args.payload, strlen(args.payload)));
    FZ_ASSERT(o && json_object_is_type(o, json_type_object), "payload is no object");
    for (size_t i = 0; i < args.key_count; i++)
        FZ_ASSERT(json_object_object_get_ex(o, args.keys[i], NULL), "key %s not in the body",
                  args.keys[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    static const char *const TYPES[] = {NULL, "application/json", "text/plain",
                                        "application/json; charset=utf-8"};
    const char *f[3];
    fz_fields(data + 1, size - 1, f, 3);
    const char *ct = TYPES[(data[0] >> 1) % 4];
    check_args(f[0], ct);
    const query_params *q = fz_query_string(f[1]);
    if (!q)
        return 0;
    fz_request r = {
        .method = data[0] & 1 ? REST_GET : REST_POST,
        .is_rpc = true,
        .pick = data[0] >> 3,
        .query = q,
        .body = f[0],
        .content_type = ct,
        .prefer = f[2][0] ? f[2] : NULL,
    };
    fz_rest(&r);
    return 0;
}
