/* Signed URLs: creating them as the caller (the object must be visible to
 * it; an upload URL needs its INSERT policy to pass, tried in a
 * transaction that is rolled back), and serving them with no credentials
 * but the token, as service_role; see token.h. */
#include "storage/body.h"
#include "storage/handlers.h"
#include "storage/image_render.h"
#include "storage/key.h"
#include "storage/read.h"
#include "storage/reply.h"
#include "storage/token.h"
#include "storage/write.h"

#include "core/query.h"
#include "worker/credentials.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char VISIBLE_SQL[] =
    "select o.name from storage.objects o where o.bucket_id = $1 and o.name = any($2::text[])";

static bool expires_in_of(response *res, json_object *body, long *out)
{
    *out = 0;
    if (!storage_body_long(res, body, "expiresIn", out))
        return false;
    if (*out <= 0 || *out > 10L * 365 * 86400) {
        storage_error(res, 400, "InvalidRequest", "expiresIn must be a positive number of seconds");
        return false;
    }
    return true;
}

/* transform (image_render.h): a /render/image/sign URL whose token
 * carries the transform. */
static const char *signed_path(request *req, const storage_settings *s, const char *bucket,
                               const char *key, long expires_in, const char *transform)
{
    storage_token tok = {.url = storage_full_key(req->arena, bucket, key),
                         .scope = "download",
                         .expires_in = expires_in,
                         .transform = transform};
    const char *token = storage_token_sign(req->arena, s, &tok, time(NULL));
    return arena_printf(req->arena, "/%s/sign/%s/%s?token=%s",
                        transform ? "render/image" : "object", bucket, key, token);
}

/* The visible names among names (a text[] literal), as the caller. */
static PGresult *visible_names(request *req, response *res, const storage_target *t,
                               const char *names)
{
    db_caller caller = storage_caller(req, t->s);
    db_txn *txn = db_txn_new(req->arena, req->app->db, &caller);
    const char *params[] = {t->bucket, names};
    int q = db_txn_add(txn, VISIBLE_SQL, 2, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return NULL;
    }
    return db_txn_result(txn, q);
}

static const char *array_literal(arena *a, const char *const *items, size_t n)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        sbuf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                sbuf_putc(&b, '\\');
            sbuf_putc(&b, *p);
        }
        sbuf_putc(&b, '"');
    }
    sbuf_putc(&b, '}');
    return b.data;
}

void storage_sign_one(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    json_object *body = storage_body_object(req, res);
    long expires_in;
    bool bad_transform = false;
    if (!body || !expires_in_of(res, body, &expires_in))
        return;
    const char *transform = storage_image_sign_transform(req, res, body, &bad_transform);
    if (bad_transform)
        return;
    PGresult *r = visible_names(req, res, &t, array_literal(req->arena, &t.key, 1));
    if (!r)
        return;
    if (PQntuples(r) == 0) {
        storage_not_found(res);
        return;
    }
    json_object *reply = json_object_new_object();
    json_object_object_add(
        reply, "signedURL",
        json_object_new_string(signed_path(req, t.s, t.bucket, t.key, expires_in, transform)));
    storage_json(res, 200, reply);
}

static bool name_listed(PGresult *r, const char *name)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), name) == 0)
            return true;
    return false;
}

void storage_sign_many(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, false, &t))
        return;
    json_object *body = storage_body_object(req, res);
    json_object *paths;
    long expires_in;
    if (!body || !expires_in_of(res, body, &expires_in))
        return;
    if (!json_object_object_get_ex(body, "paths", &paths) ||
        !json_object_is_type(paths, json_type_array)) {
        storage_error(res, 400, "InvalidRequest", "paths must be an array of object names");
        return;
    }
    size_t n = json_object_array_length(paths);
    const char **names = arena_alloc(req->arena, sizeof(char *) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(paths, i);
        const char *why = "not a string";
        names[i] = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
        if (!names[i] || !storage_key_valid(names[i], &why)) {
            storage_invalid_key(res, names[i], why);
            return;
        }
    }
    PGresult *r = visible_names(req, res, &t, array_literal(req->arena, names, n));
    if (!r)
        return;
    json_object *reply = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_new_object();
        bool ok = name_listed(r, names[i]);
        json_object_object_add(item, "error",
                               ok ? NULL
                                  : json_object_new_string("Either the object does not exist or "
                                                           "you do not have access to it"));
        json_object_object_add(item, "path", json_object_new_string(names[i]));
        json_object_object_add(
            item, "signedURL",
            ok ? json_object_new_string(signed_path(req, t.s, t.bucket, names[i], expires_in, NULL))
               : NULL);
        json_object_array_add(reply, item);
    }
    storage_json(res, 200, reply);
}

/* Checks ?token= for t's object and scope; false after a 400 reply. */
static bool token_ok(request *req, response *res, const storage_target *t, const char *scope,
                     storage_token *out)
{
    const char *text = query_get(&req->query, "token");
    token_status st = storage_token_verify(req->arena, t->s, text,
                                           storage_full_key(req->arena, t->bucket, t->key), scope,
                                           time(NULL), out);
    switch (st) {
    case TOKEN_OK:
        return true;
    case TOKEN_EXPIRED:
        storage_error(res, 400, "ExpiredToken", "The provided token has expired.");
        return false;
    case TOKEN_WRONG_URL:
        storage_error(res, 400, "InvalidSignature", "Invalid signature");
        return false;
    case TOKEN_INVALID:
        break;
    }
    storage_error(res, 400, "InvalidJWT",
                  text ? "invalid token" : "the token parameter is missing");
    return false;
}

void storage_sign_download(request *req, response *res)
{
    storage_target t;
    storage_token tok;
    if (!storage_target_get(req, res, true, &t) || !token_ok(req, res, &t, "download", &tok))
        return;
    db_caller caller = storage_service_caller(req, t.s);
    storage_read_object(req, res, &t, &caller, false);
}

void storage_sign_upload_create(request *req, response *res)
{
    storage_target t;
    if (!storage_target_get(req, res, true, &t))
        return;
    const char *h = request_header(req, "x-upsert");
    bool upsert = h && strcasecmp(h, "true") == 0;
    db_caller caller = storage_caller(req, t.s);
    if (!storage_upload_allowed(req, res, &t, &caller, req->auth->sub, upsert, NULL))
        return;
    storage_token tok = {.url = storage_full_key(req->arena, t.bucket, t.key),
                         .scope = "upload",
                         .owner = req->auth->sub,
                         .upsert = upsert,
                         .expires_in = t.s->signed_upload_expiry_s};
    const char *token = storage_token_sign(req->arena, t.s, &tok, time(NULL));
    json_object *reply = json_object_new_object();
    json_object_object_add(
        reply, "url",
        json_object_new_string(arena_printf(req->arena, "/object/upload/sign/%s/%s?token=%s",
                                            t.bucket, t.key, token)));
    json_object_object_add(reply, "token", json_object_new_string(token));
    storage_json(res, 200, reply);
}

void storage_sign_upload_put(request *req, response *res)
{
    storage_target t;
    storage_token tok;
    if (!storage_target_get(req, res, true, &t) || !token_ok(req, res, &t, "upload", &tok))
        return;
    storage_write w = {
        .upsert = tok.upsert,
        .caller = storage_service_caller(req, t.s),
        .owner = tok.owner,
    };
    storage_write_object(req, res, &t, &w);
}
