/* Image transform routes; see image_render.h. */
#include "storage/image_render.h"

#include "core/query.h"
#include "storage/image_cache.h"
#include "storage/image_params.h"
#include "storage/image_vips.h"
#include "storage/read.h"
#include "storage/reply.h"
#include "storage/target.h"
#include "storage/token.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* As in read.c: one text per case, no run-time switch. */
#define SOURCE_COLUMNS                                                                             \
    "select o.id, coalesce(o.version, ''), coalesce(o.metadata->>'size', '0'),"                    \
    " coalesce(o.metadata->>'eTag', ''), coalesce(o.metadata->>'cacheControl', ''),"               \
    " pg_catalog.to_char(o.updated_at at time zone 'UTC', 'Dy, DD Mon YYYY HH24:MI:SS \"GMT\"')"   \
    " from storage.objects o where o.bucket_id = $1 and o.name = $2"
static const char SOURCE_SQL[] = SOURCE_COLUMNS;
static const char SOURCE_PUBLIC_SQL[] = SOURCE_COLUMNS
    " and exists (select from storage.bucket_settings(o.bucket_id) b where b.public)";

typedef struct image_source {
    const char *id, *version, *size, *etag, *cache_control, *last_modified;
} image_source;

/* The object as caller (RLS) or, for public_only, in a public bucket. */
static bool find_source(request *req, response *res, const storage_target *t,
                        const db_caller *caller, bool public_only, image_source *src)
{
    db_txn *txn = db_txn_new(req->arena, req->app->db, caller);
    const char *params[] = {t->bucket, t->key};
    int q = db_txn_add(txn, public_only ? SOURCE_PUBLIC_SQL : SOURCE_SQL, 2, params);
    db_status st = db_txn_run(txn, t->s->txn_wait_ms);
    if (st != DB_OK) {
        storage_db_failure(res, txn, st, "select");
        return false;
    }
    PGresult *r = db_txn_result(txn, q);
    if (PQntuples(r) == 0) {
        storage_not_found(res);
        return false;
    }
    const char **fields[] = {&src->id,   &src->version,       &src->size,
                             &src->etag, &src->cache_control, &src->last_modified};
    for (int i = 0; i < 6; i++)
        *fields[i] = arena_strdup(req->arena, PQgetvalue(r, 0, i));
    return true;
}

/* The render's ETag: the object's, qualified by a hash of the parameters. */
static const char *render_etag(arena *a, const image_source *src, const char *params)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = params; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    const char *e = src->etag;
    size_t n = strlen(e);
    if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
        e++;
        n -= 2;
    }
    return arena_printf(a, "\"%.*s-%08x\"", (int)n, e, h);
}

static void common_headers(response *res, const image_source *src, const char *etag,
                           const char *cache)
{
    response_set_header(res, "X-Content-Type-Options", "nosniff");
    response_set_header(res, "Content-Security-Policy", "default-src 'none'; sandbox");
    response_set_header(res, "Cache-Control",
                        *src->cache_control ? src->cache_control : "no-cache");
    response_set_header(res, "ETag", etag);
    response_set_header(res, "Last-Modified", src->last_modified);
    response_set_header(res, "X-Render-Cache", cache);
}

static bool etag_matches(const char *header, const char *etag)
{
    return header && (strcmp(header, "*") == 0 || strstr(header, etag) != NULL);
}

static void stream_fd(response *res, int fd, const char *size)
{
    response_set_header(res, "Content-Length", size);
    res->status = 200;
    response_stream_begin(res);
    char *buf = arena_alloc(res->arena, 65536);
    ssize_t n;
    while ((n = read(fd, buf, 65536)) > 0)
        if (!response_stream_write(res, buf, (size_t)n))
            break;
}

/* A cached render, by X-Sendfile, from its file, or streamed by the backend. */
static void serve_cached(request *req, response *res, const storage_target *t,
                         const storage_render *r)
{
    response_set_header(res, "Content-Type", r->type);
    storage_read_disposition(req, res, r->type);
    const char *path = t->be->path ? t->be->path(t->s, req->arena, r->id, r->version) : NULL;
    const char *sendfile = t->s->sendfile_header;
    if (path && sendfile && *sendfile) {
        response_set_header(res, sendfile, path);
        res->status = 200;
        response_headers_only(res);
    } else if (path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            storage_error(res, 500, "InternalError", "the render's file is missing");
            return;
        }
        stream_fd(res, fd, r->size);
        close(fd);
    } else {
        t->be->send(t->s, req, res, r->id, r->version, r->size);
    }
}

/* A growing buffer fed by a backend's send(): its first write is the
 * header block, which is skipped. */
typedef struct capture {
    char *data;
    size_t len, cap, max;
    bool head_seen, overflow;
} capture;

static bool capture_write(void *ctx, const char *buf, size_t n)
{
    capture *c = ctx;
    if (!c->head_seen) {
        c->head_seen = true;
        return true;
    }
    if (c->len + n > c->max) {
        c->overflow = true;
        return false;
    }
    if (c->len + n > c->cap) {
        size_t cap = (c->len + n) * 2 < c->max ? (c->len + n) * 2 : c->max;
        char *grown = realloc(c->data, cap);
        if (!grown)
            return false;
        c->data = grown;
        c->cap = cap;
    }
    memcpy(c->data + c->len, buf, n);
    c->len += n;
    return true;
}

static void capture_flush(void *ctx)
{
    (void)ctx;
}

static char *read_by_send(request *req, const storage_target *t, const image_source *src,
                          size_t size, size_t *len)
{
    capture c = {.max = size};
    http_io io = {.ctx = &c, .write = capture_write, .flush = capture_flush};
    response inner;
    response_init(&inner, req->arena, &io);
    /* the whole object, never a range of it nor a redirect to it */
    request plain_req = *req;
    memset(&plain_req.headers, 0, sizeof plain_req.headers);
    storage_settings plain = *t->s;
    plain.s3.redirect = false;
    t->be->send(&plain, &plain_req, &inner, src->id, src->version, src->size);
    if (!c.head_seen || c.overflow || c.len != size || inner.status != 200) {
        free(c.data);
        return NULL;
    }
    *len = c.len;
    return c.data ? c.data : malloc(1);
}

static char *read_file(const char *path, size_t size, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *data = fd >= 0 ? malloc(size ? size : 1) : NULL;
    size_t got = 0;
    ssize_t n = 1;
    while (data && got < size && (n = read(fd, data + got, size - got)) > 0)
        got += (size_t)n;
    if (fd >= 0)
        close(fd);
    if (data && got != size) {
        free(data);
        data = NULL;
    }
    *len = got;
    return data;
}

/* The object's bytes in memory (malloc'd), from its file or the backend. */
static char *read_source(request *req, const storage_target *t, const image_source *src,
                         size_t *len)
{
    size_t size = (size_t)atol(src->size);
    const char *path = t->be->path ? t->be->path(t->s, req->arena, src->id, src->version) : NULL;
    return path ? read_file(path, size, len) : read_by_send(req, t, src, size, len);
}

/* Not cached yet: transformed, kept, and sent from memory. */
static void render_fresh(request *req, response *res, const storage_target *t,
                         const image_source *src, const storage_image_params *p, const char *params)
{
    if (atol(src->size) > t->s->image_max_input) {
        storage_error(res, 413, "EntityTooLarge",
                      arena_printf(req->arena,
                                   "the image is larger than %ld bytes (STORAGE_IMAGE_MAX_INPUT)",
                                   t->s->image_max_input));
        return;
    }
    size_t len = 0;
    char *data = read_source(req, t, src, &len);
    if (!data) {
        storage_error(res, 500, "InternalError", "the object's bytes could not be read");
        return;
    }
    storage_image_out out;
    const char *why = NULL;
    int st = storage_image_transform(req->arena, t->s, data, len, p, &out, &why);
    free(data);
    if (st) {
        storage_error(res, st, st == 415 ? "InvalidMimeType" : "InvalidRequest", why);
        return;
    }
    storage_image_cache_put(req, t, src->id, src->version, params, out.type, out.data, out.len);
    /* a few renders of replaced objects go now; the timer does the rest */
    db_caller service = storage_service_caller(req, t->s);
    storage_image_cache_sweep(t->s, t->be, req->arena, req->app->db, &service, 20);
    response_set_header(res, "Content-Type", out.type);
    storage_read_disposition(req, res, out.type);
    response_set_header(res, "Content-Length", arena_printf(req->arena, "%zu", out.len));
    res->status = 200;
    response_stream_begin(res);
    response_stream_write(res, out.data, out.len);
    storage_image_out_free(&out);
}

static void render(request *req, response *res, const storage_target *t, const db_caller *caller,
                   bool public_only, const storage_image_raw *raw)
{
    storage_image_params p;
    const char *why = NULL;
    if (!storage_image_params_parse(req->arena, raw, t->s->image_max_dimension, &p, &why)) {
        storage_error(res, 400, "InvalidRequest", why);
        return;
    }
    bool negotiated = p.format == IMAGE_AUTO;
    p.format = storage_image_format_for(p.format, request_header(req, "accept"));
    image_source src;
    if (!find_source(req, res, t, caller, public_only, &src))
        return;
    const char *params = storage_image_params_text(req->arena, &p);
    const char *etag = render_etag(req->arena, &src, params);
    storage_render cached;
    bool hit = storage_image_cache_get(req, t, src.id, src.version, params, &cached);
    common_headers(res, &src, etag, hit ? "hit" : "miss");
    if (negotiated)
        response_add_header(res, "Vary", "Accept");
    if (etag_matches(request_header(req, "if-none-match"), etag)) {
        response_empty(res, 304);
        return;
    }
    if (hit)
        serve_cached(req, res, t, &cached);
    else
        render_fresh(req, res, t, &src, &p, params);
}

static void raw_from_query(request *req, storage_image_raw *raw)
{
    raw->width = query_get(&req->query, "width");
    raw->height = query_get(&req->query, "height");
    raw->resize = query_get(&req->query, "resize");
    raw->quality = query_get(&req->query, "quality");
    raw->format = query_get(&req->query, "format");
}

void storage_render_disabled(request *req, response *res)
{
    (void)req;
    storage_error(res, 400, "NotSupported", "image transformation is not enabled");
}

static bool enabled(request *req, response *res, storage_target *t)
{
    if (!storage_target_get(req, res, true, t))
        return false;
    if (!t->s->image_transforms) {
        storage_render_disabled(req, res);
        return false;
    }
    return true;
}

void storage_image_public(request *req, response *res)
{
    storage_target t;
    storage_image_raw raw;
    if (!enabled(req, res, &t))
        return;
    raw_from_query(req, &raw);
    db_caller caller = storage_service_caller(req, t.s);
    render(req, res, &t, &caller, true, &raw);
}

void storage_image_authenticated(request *req, response *res)
{
    storage_target t;
    storage_image_raw raw;
    if (!enabled(req, res, &t))
        return;
    raw_from_query(req, &raw);
    db_caller caller = storage_caller(req, t.s);
    render(req, res, &t, &caller, false, &raw);
}

static bool render_token_ok(request *req, response *res, const storage_target *t,
                            storage_token *tok)
{
    const char *text = query_get(&req->query, "token");
    token_status st = storage_token_verify(req->arena, t->s, text,
                                           storage_full_key(req->arena, t->bucket, t->key),
                                           "download", time(NULL), tok);
    if (st == TOKEN_OK)
        return true;
    if (st == TOKEN_EXPIRED)
        storage_error(res, 400, "ExpiredToken", "The provided token has expired.");
    else if (st == TOKEN_WRONG_URL)
        storage_error(res, 400, "InvalidSignature", "Invalid signature");
    else
        storage_error(res, 400, "InvalidJWT",
                      text ? "invalid token" : "the token parameter is missing");
    return false;
}

void storage_image_sign(request *req, response *res)
{
    storage_target t;
    storage_token tok;
    storage_image_raw raw;
    if (!enabled(req, res, &t) || !render_token_ok(req, res, &t, &tok))
        return;
    if (tok.transform && *tok.transform)
        storage_image_raw_from_text(req->arena, tok.transform, &raw);
    else
        raw_from_query(req, &raw);
    db_caller caller = storage_service_caller(req, t.s);
    render(req, res, &t, &caller, false, &raw);
}

static const char *json_text(arena *a, json_object *o, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return arena_strdup(a, json_object_get_string(v));
    if (json_object_is_type(v, json_type_int))
        return arena_printf(a, "%lld", (long long)json_object_get_int64(v));
    return "invalid";
}

const char *storage_image_sign_transform(request *req, response *res, json_object *body,
                                         bool *failed)
{
    *failed = false;
    json_object *o;
    if (!json_object_object_get_ex(body, "transform", &o) || json_object_is_type(o, json_type_null))
        return NULL;
    if (!json_object_is_type(o, json_type_object)) {
        storage_error(res, 400, "InvalidRequest", "transform must be an object");
        *failed = true;
        return NULL;
    }
    storage_image_raw raw = {json_text(req->arena, o, "width"), json_text(req->arena, o, "height"),
                             json_text(req->arena, o, "resize"),
                             json_text(req->arena, o, "quality"),
                             json_text(req->arena, o, "format")};
    if (storage_image_raw_empty(&raw))
        return NULL;
    const storage_settings *s = storage_settings_get(req->app);
    storage_image_params p;
    const char *why = NULL;
    if (!storage_image_params_parse(req->arena, &raw, s->image_max_dimension, &p, &why)) {
        storage_error(res, 400, "InvalidRequest", why);
        *failed = true;
        return NULL;
    }
    return storage_image_params_text(req->arena, &p);
}
