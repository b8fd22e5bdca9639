/* Object downloads and HEAD; see read.h. */
#include "storage/read.h"

#include "core/query.h"
#include "storage/mime.h"
#include "storage/reply.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Two texts rather than one with a "$3 = 'any' or exists (...)" switch:
 * the executor would set up the bucket subquery on every download even
 * when it is not evaluated (a measurable part of a download's cost). */
#define READ_COLUMNS                                                                               \
    "select o.id, coalesce(o.version, ''), coalesce(o.metadata->>'mimetype', ''),"                 \
    " coalesce(o.metadata->>'size', '0'), coalesce(o.metadata->>'eTag', ''),"                      \
    " coalesce(o.metadata->>'cacheControl', ''),"                                                  \
    " pg_catalog.to_char(o.updated_at at time zone 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"GMT\"')"   \
    " from storage.objects o where o.bucket_id = $1 and o.name = $2"
static const char READ_SQL[] = READ_COLUMNS;
static const char READ_PUBLIC_SQL[] =
    READ_COLUMNS " and exists (select from storage.bucket_settings(o.bucket_id) b where b.public)";

typedef struct object_meta {
    const char *id, *version, *type, *size, *etag, *cache_control, *last_modified;
} object_meta;

static void meta_from_row(arena *a, PGresult *r, object_meta *m)
{
    const char **fields[] = {&m->id,   &m->version,       &m->type,         &m->size,
                             &m->etag, &m->cache_control, &m->last_modified};
    for (int i = 0; i < 7; i++)
        *fields[i] = arena_strdup(a, PQgetvalue(r, 0, i));
}

/* RFC 5987 encoding of a file name for Content-Disposition. */
static const char *encode_filename(arena *a, const char *name)
{
    sbuf b;
    sbuf_init(&b, a, strlen(name) * 3 + 1);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            sbuf_putc(&b, (char)*p);
        else
            sbuf_printf(&b, "%%%02X", *p);
    }
    return b.data;
}

void storage_read_disposition(request *req, response *res, const char *type)
{
    const char *download = query_get(&req->query, "download");
    if (download && *download) {
        const char *enc = encode_filename(req->arena, download);
        response_set_header(
            res, "Content-Disposition",
            arena_printf(req->arena, "attachment; filename=%s; filename*=UTF-8''%s", enc, enc));
    } else if (download || storage_mime_active(type)) {
        response_set_header(res, "Content-Disposition", "attachment");
    }
}

static bool etag_matches(const char *header, const char *etag)
{
    if (!header || !*etag)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    return strstr(header, etag) != NULL;
}

static void set_headers(request *req, response *res, const object_meta *m)
{
    const char *type = *m->type ? m->type : "application/octet-stream";
    response_set_header(res, "Content-Type", type);
    response_set_header(res, "X-Content-Type-Options", "nosniff");
    response_set_header(res, "Content-Security-Policy", "default-src 'none'; sandbox");
    response_set_header(res, "Cache-Control", *m->cache_control ? m->cache_control : "no-cache");
    if (*m->etag)
        response_set_header(res, "ETag", m->etag);
    response_set_header(res, "Last-Modified", m->last_modified);
    response_set_header(res, "Accept-Ranges", "bytes");
    storage_read_disposition(req, res, type);
}

/* The worker sends the file itself (no X-Sendfile configured). */
static void stream_file(response *res, const char *path, const char *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        storage_error(res, 500, "InternalError", "the object's file is missing");
        return;
    }
    response_set_header(res, "Content-Length", size);
    res->status = 200;
    response_stream_begin(res);
    char *buf = arena_alloc(res->arena, 65536);
    ssize_t n;
    while ((n = read(fd, buf, 65536)) > 0)
        if (!response_stream_write(res, buf, (size_t)n))
            break;
    close(fd);
}

static void serve(request *req, response *res, const storage_target *t, const object_meta *m)
{
    set_headers(req, res, m);
    if (etag_matches(request_header(req, "if-none-match"), m->etag)) {
        response_empty(res, 304);
        return;
    }
    const char *path = t->be->path ? t->be->path(t->s, req->arena, m->id, m->version) : NULL;
    const char *sendfile =
        path && t->s->sendfile_header && *t->s->sendfile_header ? t->s->sendfile_header : NULL;
    if (res->head_only && !sendfile) {
        response_set_header(res, "Content-Length", m->size);
        response_empty(res, 200);
        return;
    }
    if (!path) {
        t->be->send(t->s, req, res, m->id, m->version, m->size);
        return;
    }
    if (!sendfile) {
        stream_file(res, path, m->size);
        return;
    }
    /* HEAD too: the web server then sets Content-Length from the file */
    response_set_header(res, sendfile, path);
    res->status = 200;
    response_headers_only(res);
}

void storage_read_object(request *req, response *res, const storage_target *t,
                         const db_caller *caller, bool public_only)
{
    db_txn *txn = db_txn_new(req->arena, req->app->db, caller);
    const char *params[] = {t->bucket, t->key};
    int q = db_txn_add(txn, public_only ? READ_PUBLIC_SQL : READ_SQL, 2, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return;
    }
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0) {
        storage_not_found(res);
        return;
    }
    object_meta m;
    meta_from_row(req->arena, r, &m);
    serve(req, res, t, &m);
}
