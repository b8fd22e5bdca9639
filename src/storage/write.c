/* Object uploads; see write.h. */
#include "storage/write.h"

#include "storage/ingest.h"
#include "storage/mime.h"
#include "storage/reply.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const char BUCKET_SQL[] =
    "select b.public::text, coalesce(b.file_size_limit::text, ''),"
    " coalesce(pg_catalog.array_to_json(b.allowed_mime_types)::text, '')"
    " from storage.bucket_settings($1) b";

#define OWNER_UUID                                                                                 \
    "case when $3 ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"             \
    " then $3::uuid end"
#define METADATA                                                                                   \
    "pg_catalog.jsonb_build_object('eTag', '\"' || $6 || '\"', 'size', $5::bigint,"                \
    " 'mimetype', $4::text, 'cacheControl', $7::text, 'lastModified', pg_catalog.now(),"           \
    " 'contentLength', $5::bigint, 'httpStatusCode', 200)"

/* No RETURNING: it would also need a SELECT policy, and Supabase uploads
 * need INSERT only; the id is chosen here ($10). */
static const char INSERT_SQL[] =
    "insert into storage.objects as o (id, bucket_id, name, owner, owner_id, metadata,"
    " user_metadata, version) values ($10::uuid, $1, $2, " OWNER_UUID ", nullif($3, ''), " METADATA
    ", $8::jsonb, $9)";

static const char UPSERT_SQL[] =
    "with old as (select version from storage.objects where bucket_id = $1 and name = $2)"
    " insert into storage.objects as o (bucket_id, name, owner, owner_id, metadata,"
    " user_metadata, version) values ($1, $2, " OWNER_UUID ", nullif($3, ''), " METADATA
    ", $8::jsonb, $9) on conflict (bucket_id, name) do update set owner = excluded.owner,"
    " owner_id = excluded.owner_id, metadata = excluded.metadata,"
    " user_metadata = excluded.user_metadata, version = excluded.version,"
    " updated_at = pg_catalog.now(), last_accessed_at = pg_catalog.now()"
    " returning o.id, (select version from old)";

static void parse_allowed(arena *a, const char *text, storage_bucket_info *out)
{
    json_object *arr = *text ? json_tokener_parse(text) : NULL;
    if (!arr || !json_object_is_type(arr, json_type_array)) {
        json_object_put(arr);
        return;
    }
    int n = (int)json_object_array_length(arr);
    out->allowed = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        out->allowed[i] =
            arena_strdup(a, json_object_get_string(json_object_array_get_idx(arr, i)));
    out->allowed_count = n;
    json_object_put(arr);
}

bool storage_bucket_info_get(request *req, response *res, const storage_target *t,
                             const db_caller *caller, storage_bucket_info *out)
{
    memset(out, 0, sizeof *out);
    db_txn *txn = db_txn_new(req->arena, req->app->db, caller);
    const char *params[] = {t->bucket};
    int q = db_txn_add(txn, BUCKET_SQL, 1, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return false;
    }
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0) {
        storage_bucket_not_found(res);
        return false;
    }
    out->found = true;
    out->is_public = strcmp(PQgetvalue(r, 0, 0), "true") == 0;
    out->file_size_limit = *PQgetvalue(r, 0, 1) ? atol(PQgetvalue(r, 0, 1)) : 0;
    parse_allowed(req->arena, PQgetvalue(r, 0, 2), out);
    return true;
}

static const char PROBE_SQL[] =
    "insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version)"
    " values ($1, $2, case when $3 ~*"
    " '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $3::uuid end,"
    " nullif($3, ''), '{}', 'probe')";
static const char PROBE_UPSERT_SQL[] =
    "insert into storage.objects as o (bucket_id, name, owner, owner_id, metadata, version)"
    " values ($1, $2, case when $3 ~*"
    " '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then $3::uuid end,"
    " nullif($3, ''), '{}', 'probe') on conflict (bucket_id, name) do update"
    " set version = o.version";

bool storage_upload_allowed(request *req, response *res, const storage_target *t,
                            const db_caller *caller, const char *owner, bool upsert,
                            storage_bucket_info *info)
{
    storage_bucket_info b;
    if (!storage_bucket_info_get(req, res, t, caller, &b))
        return false;
    if (info)
        *info = b;
    db_txn *txn = db_txn_new_block(req->arena, req->app->db, caller);
    const char *params[] = {t->bucket, t->key, owner ? owner : ""};
    db_txn_add(txn, upsert ? PROBE_UPSERT_SQL : PROBE_SQL, 3, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK)
        storage_db_failure(res, txn, st, upsert ? "upsert" : "insert");
    db_txn_end_block(txn, t->s->txn_wait_ms); /* rolls the probe back */
    return st == DB_OK;
}

static void too_large(response *res)
{
    storage_error(res, 413, "EntityTooLarge", "The object exceeded the maximum allowed size");
}

static void unsupported(response *res, const char *type)
{
    storage_error(res, 415, "InvalidMimeType",
                  arena_printf(res->arena, "mime type %s is not supported", type));
}

/* The type to store, or NULL after a 415 reply. text/plain (storage-js's
 * default for raw bodies) claims nothing, so the sniffed type replaces it. */
static const char *judge_type(response *res, const storage_target *t, const storage_bucket_info *b,
                              const char *declared, const char *sniffed)
{
    if (declared && strcmp(declared, "text/plain") == 0 && !storage_mime_executable(sniffed) &&
        !storage_mime_compatible(declared, sniffed))
        declared = NULL;
    bool agrees = !declared || storage_mime_compatible(declared, sniffed);
    if (!agrees && t->s->strict_mime) {
        storage_error(res, 415, "InvalidMimeType",
                      arena_printf(res->arena, "mime type %s is not supported: the content is %s",
                                   declared, sniffed));
        return NULL;
    }
    const char *stored = declared && agrees ? declared : sniffed;
    if (b->allowed) {
        bool generic = strcmp(sniffed, "text/plain") == 0 ||
                       strcmp(sniffed, "inode/x-empty") == 0 ||
                       strcmp(sniffed, "application/x-empty") == 0;
        bool listed = storage_mime_listed(sniffed, b->allowed, b->allowed_count) ||
                      (generic && storage_mime_listed(stored, b->allowed, b->allowed_count));
        if (!listed) {
            unsupported(res, generic ? stored : sniffed);
            return NULL;
        }
    }
    return stored;
}

static const char *cache_control_of(arena *a, const char *value)
{
    if (!value || !*value)
        return "max-age=3600";
    if (strspn(value, "0123456789") == strlen(value))
        return arena_printf(a, "max-age=%s", value);
    return value;
}

/* x-metadata (base64 JSON) or the multipart metadata field; false: 400. */
static bool user_metadata_of(request *req, response *res, storage_body *body, const char **out)
{
    const char *text = body->user_metadata;
    const char *header = request_header(req, "x-metadata");
    if (!text && header && *header) {
        size_t n = strlen(header);
        unsigned char *buf = arena_alloc(req->arena, n + 4);
        int len = EVP_DecodeBlock(buf, (const unsigned char *)header, (int)n);
        if (len < 0) {
            storage_error(res, 400, "InvalidRequest", "x-metadata is not base64");
            return false;
        }
        while (len > 0 && buf[len - 1] == '\0')
            len--;
        text = arena_strndup(req->arena, (const char *)buf, (size_t)len);
    }
    *out = NULL;
    if (!text || !*text)
        return true;
    json_object *obj = json_tokener_parse(text);
    bool ok = obj && json_object_is_type(obj, json_type_object);
    json_object_put(obj);
    if (!ok) {
        storage_error(res, 400, "InvalidRequest", "metadata must be a JSON object");
        return false;
    }
    *out = text;
    return true;
}

static void ingest_failure(response *res, ingest_status st, const char *why)
{
    if (st == INGEST_TOO_LARGE)
        too_large(res);
    else if (st == INGEST_BAD)
        storage_error(res, 400, "InvalidRequest", why);
    else
        storage_error(res, 500, "InternalError", why);
}

/* The row, the file and COMMIT; the blob is placed or discarded. */
static void write_row(request *req, response *res, const storage_target *t, const storage_write *w,
                      storage_body *body, const char *type, const char *user_metadata)
{
    const char *version = storage_new_version(req->arena);
    const char *size = arena_printf(req->arena, "%ld", body->size);
    const char *cache = cache_control_of(req->arena, body->cache_control);
    const char *new_id = storage_new_id(req->arena);
    const char *params[] = {
        t->bucket, t->key, w->owner ? w->owner : "", type, size, body->md5, cache, user_metadata,
        version,   new_id};
    db_txn *txn = db_txn_new_block(req->arena, req->app->db, &w->caller);
    int q = db_txn_add(txn, w->upsert ? UPSERT_SQL : INSERT_SQL, w->upsert ? 9 : 10, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        t->be->discard(&body->blob);
        storage_db_failure(res, txn, st, w->upsert ? "upsert" : "insert");
        db_txn_end_block(txn, t->s->txn_wait_ms);
        return;
    }
    PGresult *r = db_txn_result(txn, q);
    const char *id = w->upsert ? arena_strdup(req->arena, PQgetvalue(r, 0, 0)) : new_id;
    const char *old =
        !w->upsert || PQgetisnull(r, 0, 1) ? NULL : arena_strdup(req->arena, PQgetvalue(r, 0, 1));
    if (!t->be->place(t->s, req->arena, &body->blob, id, version, txn)) {
        db_txn_end_block(txn, t->s->txn_wait_ms);
        storage_backend_failure(res, t->be, "could not store the object");
        return;
    }
    db_txn_add(txn, "commit", 0, NULL);
    st = db_txn_run(txn, t->s->txn_wait_ms);
    db_txn_end_block(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        t->be->remove(t->s, req->arena, id, version);
        storage_db_failure(res, txn, st, w->upsert ? "upsert" : "insert");
        return;
    }
    if (old)
        t->be->remove(t->s, req->arena, id, old);
    json_object *reply = json_object_new_object();
    const char *full = storage_full_key(req->arena, t->bucket, t->key);
    json_object_object_add(reply, "id", json_object_new_string(id));
    json_object_object_add(reply, "key", json_object_new_string(full));
    json_object_object_add(reply, "Id", json_object_new_string(id));
    json_object_object_add(reply, "Key", json_object_new_string(full));
    storage_json(res, 200, reply);
}

void storage_write_finish(request *req, response *res, const storage_target *t,
                          const storage_write *w, const storage_bucket_info *b, storage_body *body)
{
    const char *sniffed = storage_mime_sniff(req->arena, body->blob.fd);
    const char *declared = storage_mime_base(req->arena, body->declared_type);
    const char *type = judge_type(res, t, b, declared, sniffed);
    const char *user_metadata = NULL;
    if (!type || !user_metadata_of(req, res, body, &user_metadata)) {
        t->be->discard(&body->blob);
        return;
    }
    write_row(req, res, t, w, body, type, user_metadata);
}

void storage_write_object(request *req, response *res, const storage_target *t,
                          const storage_write *w)
{
    storage_bucket_info b;
    if (!storage_bucket_info_get(req, res, t, &w->caller, &b))
        return;
    long limit = storage_bucket_limit(t->s, &b);
    storage_body body;
    const char *why = NULL;
    ingest_status ist = storage_ingest(req, res->io, t->s, t->be, limit, &body, &why);
    if (ist != INGEST_OK) {
        ingest_failure(res, ist, why);
        return;
    }
    storage_write_finish(req, res, t, w, &b, &body);
}

long storage_bucket_limit(const storage_settings *s, const storage_bucket_info *b)
{
    long limit = s->limits.max_body;
    if (b->file_size_limit > 0 && b->file_size_limit < limit)
        limit = b->file_size_limit;
    return limit;
}
