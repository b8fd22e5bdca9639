/* TUS resumable uploads; see tus.h. Every request must come from the
 * upload's creator (same sub and role), so the object is written with the
 * caller's own credentials when it completes. storage.uploads is touched as
 * service_role only. */
#include "storage/tus.h"

#include "core/uuid.h"
#include "storage/key.h"
#include "storage/reply.h"
#include "storage/tus_cleanup.h"
#include "storage/write.h"
#include "worker/credentials.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TUS_VERSION "1.0.0"
#define TUS_CHUNK (64 * 1024)
#define OCTETS "application/offset+octet-stream"

typedef struct tus_upload {
    const char *id, *bucket, *name, *creator_sub, *creator_role, *content_type, *cache_control,
        *user_metadata, *expires;
    bool upsert, expired;
    long length, offset; /* length -1: deferred (Upload-Defer-Length) */
    long limit;          /* the bucket's limit at creation, -1: none */
} tus_upload;

static void tus_headers(response *res)
{
    response_set_header(res, "Tus-Resumable", TUS_VERSION);
    response_set_header(res, "Cache-Control", "no-store");
}

/* Tus-Resumable must name the version we speak (412 otherwise). */
static bool version_ok(request *req, response *res)
{
    const char *v = request_header(req, "tus-resumable");
    tus_headers(res);
    if (v && strcmp(v, TUS_VERSION) == 0)
        return true;
    response_set_header(res, "Tus-Version", TUS_VERSION);
    storage_error(res, 412, "InvalidTusResumable", "Tus-Resumable must be 1.0.0");
    return false;
}

static bool parse_count(const char *v, long *out)
{
    if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 15)
        return false;
    *out = strtol(v, NULL, 10);
    return true;
}

void storage_tus_options(request *req, response *res)
{
    (void)req;
    response_set_header(res, "Tus-Resumable", TUS_VERSION);
    response_set_header(res, "Tus-Version", TUS_VERSION);
    response_set_header(res, "Tus-Extension",
                        "creation,creation-with-upload,creation-defer-length,termination,"
                        "expiration");
    response_empty(res, 204);
}

static db_txn *service_txn(request *req, const storage_settings *s, bool block)
{
    static db_caller caller;
    caller = storage_service_caller(req, s);
    return block ? db_txn_new_block(req->arena, req->app->db, &caller)
                 : db_txn_new(req->arena, req->app->db, &caller);
}

/* Uploads past their expiry: rows and part files removed (a batch per
 * creation; `pgstack storage cleanup` does the rest, tus_cleanup.h). */
static void tus_collect_expired(request *req, const storage_target *t)
{
    db_caller caller = storage_service_caller(req, t->s);
    storage_tus_sweep(t->s, t->be, req->arena, req->app->db, &caller, 50);
}

static const char UPLOAD_COLUMNS[] =
    "id, bucket_id, name, creator_sub, creator_role, coalesce(content_type, ''),"
    " coalesce(cache_control, ''), coalesce(user_metadata::text, ''), coalesce(upload_length, -1),"
    " upload_offset, upsert::text, (expires_at < pg_catalog.now())::text,"
    " pg_catalog.to_char(expires_at at time zone 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"GMT\"'),"
    " coalesce(length_limit, -1)";

static void upload_from_row(arena *a, PGresult *r, tus_upload *u)
{
    const char **text[] = {
        &u->id,           &u->bucket,       &u->name,          &u->creator_sub,
        &u->creator_role, &u->content_type, &u->cache_control, &u->user_metadata};
    for (int i = 0; i < 8; i++)
        *text[i] = arena_strdup(a, PQgetvalue(r, 0, i));
    u->length = atol(PQgetvalue(r, 0, 8));
    u->offset = atol(PQgetvalue(r, 0, 9));
    u->upsert = strcmp(PQgetvalue(r, 0, 10), "true") == 0;
    u->expired = strcmp(PQgetvalue(r, 0, 11), "true") == 0;
    u->expires = arena_strdup(a, PQgetvalue(r, 0, 12));
    u->limit = atol(PQgetvalue(r, 0, 13));
}

/* The request may act on u: its creator (same sub and role), or for a
 * signed upload a valid x-signature for u's object (tus_sign.c). */
static bool same_caller(request *req, const tus_upload *u, const storage_tus_signer *signer)
{
    if (signer)
        return strcmp(u->creator_role, STORAGE_TUS_SIGNED_ROLE) == 0 &&
               storage_tus_signer_allows(req, signer, u->bucket, u->name);
    const auth_ctx *auth = req->auth;
    return auth && auth->present && strcmp(auth->sub, u->creator_sub) == 0 &&
           strcmp(auth->role, u->creator_role) == 0;
}

/* The upload named by the route, read in txn (locked with lock); false
 * after a 404/410/423 reply. */
static bool tus_load(request *req, response *res, db_txn *txn, const storage_settings *s, bool lock,
                     const storage_tus_signer *signer, tus_upload *u)
{
    const char *id = request_param(req, "id");
    if (!id || !uuid_text_valid(id)) {
        storage_error(res, 404, "NoSuchUpload", "Upload not found");
        return false;
    }
    const char *sql = arena_printf(req->arena, "select %s from storage.uploads where id = $1%s",
                                   UPLOAD_COLUMNS, lock ? " for update nowait" : "");
    const char *params[] = {id};
    int q = db_txn_add(txn, sql, 1, params);
    db_status st = db_txn_run(txn, s->txn_wait_ms);
    PGresult *err = st == DB_QUERY_ERROR ? db_txn_error(txn, NULL) : NULL;
    const char *state = err ? PQresultErrorField(err, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "55P03") == 0) {
        storage_error(res, 423, "UploadLocked", "another request is writing this upload");
        return false;
    }
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return false;
    }
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0) {
        storage_error(res, 404, "NoSuchUpload", "Upload not found");
        return false;
    }
    upload_from_row(req->arena, r, u);
    if (!same_caller(req, u, signer)) {
        storage_error(res, 404, "NoSuchUpload", "Upload not found");
        return false;
    }
    if (u->expired) {
        storage_error(res, 410, "UploadExpired", "Upload expired");
        return false;
    }
    return true;
}

static void offset_headers(response *res, const tus_upload *u, long offset)
{
    response_set_header(res, "Upload-Offset", arena_printf(res->arena, "%ld", offset));
    if (u->length >= 0)
        response_set_header(res, "Upload-Length", arena_printf(res->arena, "%ld", u->length));
    else
        response_set_header(res, "Upload-Defer-Length", "1");
    response_set_header(res, "Upload-Expires", u->expires);
}

void storage_tus_head_as(request *req, response *res, const storage_tus_signer *signer)
{
    storage_target t;
    storage_target_base(req, &t);
    tus_upload u;
    if (!version_ok(req, res) ||
        !tus_load(req, res, service_txn(req, t.s, false), t.s, false, signer, &u))
        return;
    offset_headers(res, &u, u.offset);
    response_empty(res, 200);
}

/* MD5 of the whole part file (the object's ETag). */
static bool part_md5(int fd, char hex[33], char *buf)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_md5(), NULL);
    off_t at = 0;
    ssize_t n;
    while ((n = pread(fd, buf, TUS_CHUNK, at)) > 0) {
        EVP_DigestUpdate(md, buf, (size_t)n);
        at += n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    for (unsigned int i = 0; i < len && i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return n == 0;
}

/* The bytes the upload may still take: up to Upload-Length, or while it
 * is deferred up to the bucket's limit. */
static long tus_room(const tus_upload *u)
{
    if (u->length >= 0)
        return u->length - u->offset;
    return u->limit >= 0 ? u->limit - u->offset : LONG_MAX - u->offset;
}

/* Appends the request body to the part at u->offset; the bytes written. */
static long append_body(request *req, response *res, int fd, const tus_upload *u, bool *failed)
{
    char *buf = arena_alloc(req->arena, TUS_CHUNK);
    long room = tus_room(u), written = 0;
    *failed = ftruncate(fd, u->offset) != 0 || lseek(fd, u->offset, SEEK_SET) != u->offset;
    while (!*failed) {
        ssize_t n = res->io->read(res->io->ctx, buf, TUS_CHUNK);
        if (n <= 0) {
            *failed = n < 0 || (req->content_length >= 0 && written < req->content_length);
            break;
        }
        if (written + n > room) {
            *failed = true;
            break;
        }
        *failed = write(fd, buf, (size_t)n) != n;
        written += *failed ? 0 : n;
    }
    if (fsync(fd) != 0)
        *failed = true;
    return written;
}

static void tus_drop(request *req, const storage_target *t, const char *id)
{
    db_txn *txn = service_txn(req, t->s, false);
    const char *params[] = {id};
    db_txn_add(txn, "delete from storage.uploads where id = $1", 1, params);
    db_txn_run(txn, t->s->txn_wait_ms);
    t->be->remove_part(t->s, req->arena, id);
}

/* The last byte arrived: the object is written as the caller under RLS
 * (the INSERT policy runs again), then the upload is dropped. */
static void tus_complete(request *req, response *res, const storage_target *t, tus_upload *u,
                         storage_blob *part, const storage_tus_signer *signer)
{
    /* a signed upload writes as its signer, like PUT /object/upload/sign */
    storage_write w = {.upsert = u->upsert,
                       .caller =
                           signer ? storage_service_caller(req, t->s) : storage_caller(req, t->s),
                       .owner = signer ? u->creator_sub : req->auth->sub};
    storage_bucket_info b;
    storage_body body = {.blob = *part, .size = u->length};
    char *buf = arena_alloc(req->arena, TUS_CHUNK);
    if (!part_md5(part->fd, body.md5, buf)) {
        t->be->discard(part);
        storage_error(res, 500, "InternalError", "could not read the upload");
        return;
    }
    body.declared_type = *u->content_type ? u->content_type : NULL;
    body.cache_control = *u->cache_control ? u->cache_control : NULL;
    body.user_metadata = *u->user_metadata ? u->user_metadata : NULL;
    if (!storage_bucket_info_get(req, res, t, &w.caller, &b)) {
        t->be->discard(part);
    } else if (b.file_size_limit > 0 && u->length > b.file_size_limit) {
        t->be->discard(part);
        storage_error(res, 413, "EntityTooLarge", "The object exceeded the maximum allowed size");
    } else {
        storage_write_finish(req, res, t, &w, &b, &body);
    }
    tus_drop(req, t, u->id);
    if (res->status == 200) {
        response_empty(res, 204);
        response_set_header(res, "Tus-Complete", "1");
    }
}

/* Writes the body at the upload's offset and records the new offset. */
static void tus_write(request *req, response *res, const storage_target *t, db_txn *txn,
                      tus_upload *u, const storage_tus_signer *signer)
{
    storage_blob part;
    if (!t->be->open_part(t->s, req->arena, u->id, &part)) {
        db_txn_end_block(txn, t->s->txn_wait_ms);
        storage_error(res, 500, "InternalError", "could not open the upload");
        return;
    }
    bool failed = false;
    long n = append_body(req, res, part.fd, u, &failed);
    const char *offset = arena_printf(req->arena, "%ld", u->offset + n);
    const char *params[] = {u->id, offset, arena_printf(req->arena, "%ld", u->length)};
    db_txn_add(txn,
               "update storage.uploads set upload_offset = $2::bigint,"
               " upload_length = nullif($3::bigint, -1) where id = $1",
               3, params);
    db_txn_add(txn, "commit", 0, NULL);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    db_txn_end_block(txn, t->s->txn_wait_ms);
    if (st != DB_OK || failed) {
        close(part.fd);
        if (st != DB_OK)
            storage_db_failure(res, txn, st, "update");
        else
            storage_error(res, 400, "InvalidRequest",
                          "the body was cut short or is longer than Upload-Length");
        return;
    }
    u->offset += n;
    offset_headers(res, u, u->offset);
    if (u->length >= 0 && u->offset == u->length) {
        tus_complete(req, res, t, u, &part, signer);
        return;
    }
    close(part.fd);
    response_empty(res, 204);
}

/* A deferred upload learns its length from a PATCH's Upload-Length (at
 * least the bytes received, within the bucket's limit); false after a
 * 400/413 reply. Without the header the length stays deferred. */
static bool tus_length_given(request *req, response *res, tus_upload *u)
{
    const char *h = request_header(req, "upload-length");
    long length;
    if (!h)
        return true;
    if (!parse_count(h, &length) || length < u->offset) {
        storage_error(res, 400, "InvalidRequest",
                      "Upload-Length must be a byte count no smaller than Upload-Offset");
        return false;
    }
    if (u->limit >= 0 && length > u->limit) {
        storage_error(res, 413, "EntityTooLarge", "The object exceeded the maximum allowed size");
        return false;
    }
    u->length = length;
    return true;
}

void storage_tus_patch_as(request *req, response *res, const storage_tus_signer *signer)
{
    storage_target t;
    storage_target_base(req, &t);
    if (!version_ok(req, res))
        return;
    const char *type = request_header(req, "content-type");
    long offset;
    if (!type || strcasecmp(type, OCTETS) != 0) {
        storage_error(res, 415, "InvalidContentType", "Content-Type must be " OCTETS);
        return;
    }
    if (!parse_count(request_header(req, "upload-offset"), &offset)) {
        storage_error(res, 400, "InvalidUploadOffset", "Upload-Offset must be a byte count");
        return;
    }
    db_txn *txn = service_txn(req, t.s, true);
    tus_upload u;
    if (!tus_load(req, res, txn, t.s, true, signer, &u)) {
        db_txn_end_block(txn, t.s->txn_wait_ms);
        return;
    }
    if (offset != u.offset) {
        db_txn_end_block(txn, t.s->txn_wait_ms);
        response_set_header(res, "Upload-Offset", arena_printf(req->arena, "%ld", u.offset));
        storage_error(res, 409, "InvalidUploadOffset", "Upload-Offset conflict");
        return;
    }
    if ((u.length < 0 && !tus_length_given(req, res, &u)) || req->content_length > tus_room(&u)) {
        db_txn_end_block(txn, t.s->txn_wait_ms);
        if (!res->finished && res->status < 400)
            storage_error(res, 413, "EntityTooLarge",
                          "the body is longer than the rest of Upload-Length");
        return;
    }
    t.bucket = u.bucket;
    t.key = u.name;
    tus_write(req, res, &t, txn, &u, signer);
}

void storage_tus_delete_as(request *req, response *res, const storage_tus_signer *signer)
{
    storage_target t;
    storage_target_base(req, &t);
    tus_upload u;
    if (!version_ok(req, res) ||
        !tus_load(req, res, service_txn(req, t.s, false), t.s, false, signer, &u))
        return;
    tus_drop(req, &t, u.id);
    response_empty(res, 204);
}

/* Creation: metadata, key and bucket judged, the caller's INSERT tried,
 * the row written; creation-with-upload continues as a PATCH at 0. */
static bool create_checks(request *req, response *res, storage_target *t, storage_tus_meta *m,
                          long *length, bool *upsert, const storage_tus_signer *signer)
{
    const char *why = NULL;
    const char *up = request_header(req, "x-upsert");
    *upsert = signer ? signer->upsert : up && strcasecmp(up, "true") == 0;
    const char *defer = request_header(req, "upload-defer-length");
    if (defer && (strcmp(defer, "1") != 0 || request_header(req, "upload-length"))) {
        storage_error(res, 400, "InvalidRequest",
                      "Upload-Defer-Length must be 1 and comes without Upload-Length");
        return false;
    }
    if (defer) {
        *length = -1;
    } else if (!parse_count(request_header(req, "upload-length"), length)) {
        storage_error(res, 400, "InvalidRequest", "Upload-Length must be a byte count");
        return false;
    }
    if (!storage_tus_meta_parse(req->arena, request_header(req, "upload-metadata"), m, &why)) {
        storage_error(res, 400, "InvalidRequest", why);
        return false;
    }
    if (!storage_bucket_name_valid(m->bucket)) {
        storage_error(res, 400, "InvalidBucketName", "Bucket name invalid");
        return false;
    }
    if (!storage_key_valid(m->object, &why)) {
        storage_invalid_key(res, m->object, why);
        return false;
    }
    t->bucket = m->bucket;
    t->key = m->object;
    return !signer || storage_tus_signer_check(req, res, signer, m->bucket, m->object);
}

static const char CREATE_SQL[] =
    "insert into storage.uploads (bucket_id, name, creator_sub, creator_role, upsert,"
    " content_type, cache_control, user_metadata, upload_length, expires_at, length_limit)"
    " values ($1, $2, $3, $4, $5::boolean, nullif($6, ''), nullif($7, ''),"
    " nullif($8, '')::jsonb, nullif($9::bigint, -1),"
    " pg_catalog.now() + make_interval(secs => $10::bigint), nullif($11::bigint, -1))"
    " returning id";

static const char *tus_insert(request *req, response *res, const storage_target *t,
                              const storage_tus_meta *m, long length, long limit, bool upsert,
                              const storage_tus_signer *signer)
{
    db_txn *txn = service_txn(req, t->s, false);
    const char *params[] = {t->bucket,
                            t->key,
                            signer ? signer->owner : req->auth->sub,
                            signer ? STORAGE_TUS_SIGNED_ROLE : req->auth->role,
                            upsert ? "true" : "false",
                            m->content_type ? m->content_type : "",
                            m->cache_control ? m->cache_control : "",
                            m->metadata ? m->metadata : "",
                            arena_printf(req->arena, "%ld", length),
                            arena_printf(req->arena, "%ld", t->s->tus_expiry_s),
                            arena_printf(req->arena, "%ld", limit)};
    int q = db_txn_add(txn, CREATE_SQL, 11, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "insert");
        return NULL;
    }
    return arena_strdup(req->arena, PQgetvalue(db_txn_result(txn, q), 0, 0));
}

void storage_tus_create_as(request *req, response *res, const storage_tus_signer *signer)
{
    storage_target t;
    storage_target_base(req, &t);
    storage_tus_meta m;
    long length;
    bool upsert;
    if (!version_ok(req, res) || !create_checks(req, res, &t, &m, &length, &upsert, signer))
        return;
    if (m.metadata && !*m.metadata)
        m.metadata = NULL;
    storage_bucket_info b;
    db_caller caller = signer ? storage_service_caller(req, t.s) : storage_caller(req, t.s);
    if (!storage_upload_allowed(req, res, &t, &caller, signer ? signer->owner : req->auth->sub,
                                upsert, &b))
        return;
    if (length >= 0 && b.file_size_limit > 0 && length > b.file_size_limit) {
        storage_error(res, 413, "EntityTooLarge", "The object exceeded the maximum allowed size");
        return;
    }
    tus_collect_expired(req, &t);
    const char *id = tus_insert(req, res, &t, &m, length,
                                b.file_size_limit > 0 ? b.file_size_limit : -1, upsert, signer);
    if (!id)
        return;
    response_set_header(res, "Location",
                        arena_printf(req->arena, "%s/upload/resumable/%s%s", req->app->area->prefix,
                                     signer ? "sign/" : "", id));
    const char *type = request_header(req, "content-type");
    if (req->content_length > 0 && type && strcasecmp(type, OCTETS) == 0) {
        /* creation-with-upload: the body is the first PATCH */
        req->param_names = (const char *[]){"id"};
        req->param_values = (const char *[]){id};
        req->param_count = 1;
        db_txn *txn = service_txn(req, t.s, true);
        tus_upload u;
        if (!tus_load(req, res, txn, t.s, true, signer, &u)) {
            db_txn_end_block(txn, t.s->txn_wait_ms);
            return;
        }
        tus_write(req, res, &t, txn, &u, signer);
        if (res->status != 204)
            return;
    }
    res->status = 201;
}

void storage_tus_create(request *req, response *res)
{
    storage_tus_create_as(req, res, NULL);
}

void storage_tus_head(request *req, response *res)
{
    storage_tus_head_as(req, res, NULL);
}

void storage_tus_patch(request *req, response *res)
{
    storage_tus_patch_as(req, res, NULL);
}

void storage_tus_delete(request *req, response *res)
{
    storage_tus_delete_as(req, res, NULL);
}
