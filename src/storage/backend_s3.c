/* The S3 backend (STORAGE_BACKEND=s3); see backend_s3.h and backend.h.
 *
 * Uploads: the body is spooled under STORAGE_ROOT/tmp like every backend's
 * (it must be sniffed by libmagic, hashed and measured against the limits
 * before anything is stored), then place() sends that file with one PUT of
 * known length, read 256 KiB at a time by libcurl — never the whole body in
 * memory. place() runs after the INSERT passed RLS and before COMMIT; a
 * PUT is atomic on S3, so the object is either whole or absent, and a
 * failed PUT rolls the row back (503). One PUT holds up to 5 GiB, well
 * above STORAGE_MAX_BODY's ceiling; multipart upload is not used.
 *
 * Downloads are streamed through the worker (GET, with the client's byte
 * range forwarded as a range of the object) or, with STORAGE_S3_REDIRECT,
 * answered with a 302 to a presigned URL of STORAGE_S3_REDIRECT_EXPIRY
 * seconds. Copies are server-side (CopyObject); moves only touch the row,
 * since keys derive from the object's id and version. Resumable uploads
 * grow under STORAGE_ROOT/uploads and are PUT once complete.
 *
 * Any failure of the store (unreachable, timeout, an error status) is
 * logged with the status and the S3 error code, never the secret. */
#include "storage/backend.h"
#include "storage/backend_s3.h"

#include "core/log.h"
#include "storage/reply.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S3_ERROR_BODY_MAX 4096
#define S3_DOWNLOAD_PIECE (256L * 1024) /* libcurl's receive buffer */
#define S3_UPLOAD_PIECE (256L * 1024)   /* libcurl's send buffer */

/* One handle per worker process, reset before each request, so that
 * connections to the store are kept alive between requests. */
static CURL *s3_handle(void)
{
    static CURL *handle;
    static bool ready;
    if (!ready)
        ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!ready)
        return NULL;
    if (!handle)
        handle = curl_easy_init();
    else
        curl_easy_reset(handle);
    return handle;
}

/* A request to key: URL, SigV4 credentials, timeouts. NULL when libcurl
 * cannot start or the endpoint is malformed (both logged). */
static CURL *s3_begin_with(const storage_s3_settings *c, arena *a, const char *key,
                           struct curl_slist **headers)
{
    storage_s3_where w;
    CURL *h = s3_handle();
    if (!h || !storage_s3_where_of(a, c, key, &w)) {
        log_event("storage: s3: %s", h ? "STORAGE_S3_ENDPOINT is malformed" : "no libcurl");
        return NULL;
    }
    curl_easy_setopt(h, CURLOPT_URL, storage_s3_url(a, &w));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, arena_printf(a, "aws:amz:%s:s3", c->region));
    curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout_s);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    /* no empty "Expect:" here: libcurl 7.88 would sign it without sending it */
    *headers = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    return h;
}

static CURL *s3_begin(const storage_settings *s, arena *a, const char *key,
                      struct curl_slist **headers)
{
    return s3_begin_with(&s->s3, a, key, headers);
}

/* The start of a reply body (S3's XML error), for the log. */
typedef struct s3_text {
    char data[S3_ERROR_BODY_MAX + 1];
    size_t len;
} s3_text;

static size_t collect(char *p, size_t size, size_t n, void *user)
{
    s3_text *t = user;
    size_t len = size * n, room = S3_ERROR_BODY_MAX - t->len;
    size_t take = len < room ? len : room;
    memcpy(t->data + t->len, p, take);
    t->len += take;
    t->data[t->len] = '\0';
    return len;
}

/* The <Code> of an S3 error body, or "". */
static const char *s3_code(arena *a, const char *xml)
{
    const char *b = strstr(xml, "<Code>");
    const char *e = b ? strstr(b, "</Code>") : NULL;
    return e ? arena_strndup(a, b + 6, (size_t)(e - b - 6)) : "";
}

static void log_failure(arena *a, const char *what, const char *key, CURLcode rc, long status,
                        const char *body)
{
    if (rc != CURLE_OK)
        log_event("storage: s3 %s %s: %s", what, key, curl_easy_strerror(rc));
    else
        log_event("storage: s3 %s %s: status %ld %s", what, key, status, s3_code(a, body));
}

/* Runs the request with a small body collector; the HTTP status, 0 when
 * the store could not be reached. */
static long s3_perform(CURL *h, struct curl_slist *headers, arena *a, const char *what,
                       const char *key, s3_text *body)
{
    body->len = 0;
    body->data[0] = '\0';
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK || status < 200 || status > 299)
        log_failure(a, what, key, rc, status, body->data);
    return rc == CURLE_OK ? status : 0;
}

static size_t read_fd(char *buf, size_t size, size_t n, void *user)
{
    ssize_t r = read(*(int *)user, buf, size * n);
    return r < 0 ? CURL_READFUNC_ABORT : (size_t)r;
}

/* PUT of the spooled file as (id, version). */
static bool s3_put_file(const storage_settings *s, arena *a, int fd, const char *key)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        return false;
    struct curl_slist *headers = NULL;
    CURL *h = s3_begin(s, a, key, &headers);
    if (!h)
        return false;
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_fd);
    curl_easy_setopt(h, CURLOPT_READDATA, &fd);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, S3_UPLOAD_PIECE);
    s3_text *body = arena_alloc(a, sizeof *body);
    long status = s3_perform(h, headers, a, "put", key, body);
    return status == 200;
}

static bool s3_place(const storage_settings *s, arena *a, storage_blob *b, const char *id,
                     const char *version, db_txn *txn)
{
    (void)txn; /* PUT before COMMIT; the caller removes the object if COMMIT fails */
    bool ok = s3_put_file(s, a, b->fd, storage_s3_key(a, id, version));
    storage_spool_discard(b);
    return ok;
}

static bool s3_remove(const storage_settings *s, arena *a, const char *id, const char *version)
{
    if (!id || !version || !*version)
        return true;
    const char *key = storage_s3_key(a, id, version);
    struct curl_slist *headers = NULL;
    CURL *h = s3_begin(s, a, key, &headers);
    if (!h)
        return false;
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    s3_text *body = arena_alloc(a, sizeof *body);
    /* 204, also for a missing key; failures are logged */
    long status = s3_perform(h, headers, a, "delete", key, body);
    return (status >= 200 && status <= 299) || status == 404;
}

/* CopyObject: the store copies the bytes itself. A 200 may still carry an
 * error (S3 reports late copy failures in the body). */
static bool s3_copy(const storage_settings *s, arena *a, const char *id, const char *version,
                    const char *dst_id, const char *dst_version, db_txn *txn)
{
    (void)txn;
    const char *key = storage_s3_key(a, dst_id, dst_version);
    const char *source = arena_printf(a, "/%s/%s", storage_s3_uri_encode(a, s->s3.bucket, false),
                                      storage_s3_key(a, id, version));
    struct curl_slist *headers = NULL;
    CURL *h = s3_begin(s, a, key, &headers);
    if (!h)
        return false;
    headers = curl_slist_append(headers, arena_printf(a, "x-amz-copy-source: %s", source));
    int none = -1; /* an empty PUT body: read_fd is never called */
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_fd);
    curl_easy_setopt(h, CURLOPT_READDATA, &none);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
    s3_text *body = arena_alloc(a, sizeof *body);
    long status = s3_perform(h, headers, a, "copy", key, body);
    if (status == 200 && !strstr(body->data, "<CopyObjectResult")) {
        log_failure(a, "copy", key, CURLE_OK, status, body->data);
        return false;
    }
    return status == 200;
}

/* ---------------------------------------------------------------- downloads */

/* The store failed before any byte went out: 503, without the object's
 * validators (a cache must not keep this reply as the object). */
static void unavailable(response *res)
{
    size_t kept = 0;
    for (size_t i = 0; i < res->headers.count; i++) {
        const char *n = res->headers.items[i].name;
        if (strcasecmp(n, "ETag") != 0 && strcasecmp(n, "Last-Modified") != 0 &&
            strcasecmp(n, "Content-Disposition") != 0 && strcasecmp(n, "Accept-Ranges") != 0)
            res->headers.items[kept++] = res->headers.items[i];
    }
    res->headers.count = kept;
    response_set_header(res, "Cache-Control", "no-store");
    storage_error(res, 503, "ServiceUnavailable", "the object store is unavailable");
}

typedef struct s3_download {
    CURL *h;
    response *res;
    long expect;                /* 200, or 206 for a range */
    const char *length, *range; /* Content-Length, Content-Range (or NULL) */
    bool started, client_gone;
} s3_download;

static void download_begin(s3_download *d)
{
    response_set_header(d->res, "Content-Length", d->length);
    if (d->range)
        response_set_header(d->res, "Content-Range", d->range);
    d->res->status = (int)d->expect;
    response_stream_begin(d->res);
    d->started = true;
}

static size_t download_write(char *p, size_t size, size_t n, void *user)
{
    s3_download *d = user;
    if (!d->started) {
        long status = 0;
        curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &status);
        if (status != d->expect)
            return size * n; /* an error body: dropped, the reply is a 503 */
        download_begin(d);
    }
    if (!response_stream_write(d->res, p, size * n)) {
        d->client_gone = true;
        return 0;
    }
    return size * n;
}

/* The presigned URL for a redirect, carrying the stored type and the
 * Content-Disposition pgstack would have sent. */
static void s3_redirect(const storage_settings *s, request *req, response *res, const char *key)
{
    arena *a = req->arena;
    storage_s3_where w;
    if (!storage_s3_where_of(a, &s->s3, key, &w)) {
        unavailable(res);
        return;
    }
    storage_s3_param extra[2];
    size_t n = 0;
    const char *type = response_get_header(res, "Content-Type");
    const char *disposition = response_get_header(res, "Content-Disposition");
    if (type)
        extra[n++] = (storage_s3_param){"response-content-type", type};
    if (disposition)
        extra[n++] = (storage_s3_param){"response-content-disposition", disposition};
    const char *url = storage_s3_presign(a, &w, s->s3.region, s->s3.access_key, s->s3.secret_key,
                                         time(NULL), s->s3.redirect_expiry_s, extra, n);
    response_set_header(res, "Location", url);
    response_set_header(res, "Cache-Control", "no-store");
    response_empty(res, 302);
}

static void s3_send(const storage_settings *s, request *req, response *res, const char *id,
                    const char *version, const char *size)
{
    arena *a = req->arena;
    const char *key = storage_s3_key(a, id, version);
    if (s->s3.redirect) {
        s3_redirect(s, req, res, key);
        return;
    }
    long long total = atoll(size);
    storage_s3_range r;
    storage_s3_range_kind kind = storage_s3_parse_range(request_header(req, "range"), total, &r);
    if (kind == STORAGE_S3_RANGE_UNSATISFIABLE) {
        response_set_header(res, "Content-Range", arena_printf(a, "bytes */%lld", total));
        response_set_header(res, "Cache-Control", "no-store");
        storage_error(res, 416, "InvalidRange", "Requested range not satisfiable");
        return;
    }
    struct curl_slist *headers = NULL;
    CURL *h = s3_begin(s, a, key, &headers);
    if (!h) {
        unavailable(res);
        return;
    }
    s3_download d = {.h = h, .res = res, .expect = 200, .length = size};
    if (kind == STORAGE_S3_RANGE_ONE) {
        d.expect = 206;
        d.length = arena_printf(a, "%lld", r.end - r.start + 1);
        d.range = arena_printf(a, "bytes %lld-%lld/%lld", r.start, r.end, total);
        curl_easy_setopt(h, CURLOPT_RANGE, arena_printf(a, "%lld-%lld", r.start, r.end));
    }
    /* large pieces: each is one flush of the FastCGI stream */
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, S3_DOWNLOAD_PIECE);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, download_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (rc == CURLE_OK && status == d.expect && !d.started) {
        download_begin(&d); /* an empty object */
        return;
    }
    if (d.started) {
        if (rc != CURLE_OK && !d.client_gone)
            log_failure(a, "get", key, rc, status, "");
        return; /* cut short: the client sees a short body */
    }
    log_failure(a, "get", key, rc, status, "");
    unavailable(res);
}

bool storage_s3_probe(const storage_s3_settings *s, char *why, size_t whylen)
{
    arena *a = arena_new(16 * 1024);
    struct curl_slist *headers = NULL;
    CURL *h = s3_begin_with(s, a, "", &headers);
    bool ok = false;
    if (!h) {
        snprintf(why, whylen, "STORAGE_S3_ENDPOINT is malformed or libcurl is missing");
    } else {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        CURLcode rc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(headers);
        ok = rc == CURLE_OK && status == 200;
        if (rc != CURLE_OK)
            snprintf(why, whylen, "%s", curl_easy_strerror(rc));
        else if (status == 403)
            snprintf(why, whylen, "403: the store refused STORAGE_S3_ACCESS_KEY/_SECRET_KEY");
        else if (status == 404)
            snprintf(why, whylen, "404: no bucket %s (STORAGE_S3_BUCKET)", s->bucket);
        else if (!ok)
            snprintf(why, whylen, "HEAD of the bucket answered %ld", status);
    }
    arena_free(a);
    return ok;
}

const storage_backend storage_s3_backend = {
    .name = "s3",
    .remote = true,
    .create = storage_spool_create,
    .place = s3_place,
    .discard = storage_spool_discard,
    .remove = s3_remove,
    .copy = s3_copy,
    .open_part = storage_spool_open_part,
    .remove_part = storage_spool_remove_part,
    .path = NULL,
    .send = s3_send,
};
