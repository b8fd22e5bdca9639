/* Streaming upload bodies into the backend; see ingest.h. */
#include "storage/ingest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

typedef struct sink {
    int fd;
    EVP_MD_CTX *md;
    long size;
} sink;

static bool sink_open(sink *k, int fd)
{
    k->fd = fd;
    k->size = 0;
    k->md = EVP_MD_CTX_new();
    return k->md && EVP_DigestInit_ex(k->md, EVP_md5(), NULL) == 1;
}

static bool sink_write(sink *k, const char *data, size_t n)
{
    EVP_DigestUpdate(k->md, data, n);
    k->size += (long)n;
    while (n > 0) {
        ssize_t w = write(k->fd, data, n);
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
    }
    return true;
}

static void sink_close(sink *k, char hex[33])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(k->md, digest, &len);
    EVP_MD_CTX_free(k->md);
    k->md = NULL;
    for (unsigned int i = 0; i < len && i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static ingest_status fail(const char **why, const char *message, ingest_status st)
{
    *why = message;
    return st;
}

/* Copies the request body into k, at most limit bytes. */
static ingest_status copy_stream(request *req, http_io *io, long limit, sink *k, const char **why)
{
    char *buf = arena_alloc(req->arena, CHUNK);
    for (;;) {
        ssize_t n = io->read(io->ctx, buf, CHUNK);
        if (n < 0)
            return fail(why, "could not read the request body", INGEST_BAD);
        if (n == 0)
            break;
        if (k->size + n > limit)
            return fail(why, "The object exceeded the maximum allowed size", INGEST_TOO_LARGE);
        if (!sink_write(k, buf, (size_t)n))
            return fail(why, "could not store the object", INGEST_FAILED);
    }
    if (req->content_length >= 0 && k->size < req->content_length)
        return fail(why, "request body shorter than Content-Length", INGEST_BAD);
    return INGEST_OK;
}

static ingest_status ingest_raw(request *req, http_io *io, long limit, storage_body *out,
                                const char **why)
{
    sink k;
    if (!sink_open(&k, out->blob.fd))
        return fail(why, "could not hash the object", INGEST_FAILED);
    ingest_status st = copy_stream(req, io, limit, &k, why);
    sink_close(&k, out->md5);
    out->size = k.size;
    out->declared_type = request_header(req, "content-type");
    out->cache_control = request_header(req, "cache-control");
    return st;
}

static bool is_multipart(const char *content_type)
{
    return content_type && strncasecmp(content_type, "multipart/form-data", 19) == 0;
}

/* Spools the whole multipart body into a scratch blob, maps it and writes
 * the file part into out->blob. */
static ingest_status ingest_form(request *req, http_io *io, const storage_settings *s,
                                 const storage_backend *be, long limit, storage_body *out,
                                 const char **why)
{
    storage_blob scratch;
    if (!be->create(s, req->arena, &scratch))
        return fail(why, "could not store the object", INGEST_FAILED);
    sink k;
    sink_open(&k, scratch.fd);
    char ignored[33];
    ingest_status st = copy_stream(req, io, s->limits.max_body, &k, why);
    sink_close(&k, ignored);
    const char *data = NULL;
    if (st == INGEST_OK && k.size > 0) {
        data = mmap(NULL, (size_t)k.size, PROT_READ, MAP_PRIVATE, scratch.fd, 0);
        if (data == MAP_FAILED) {
            data = NULL;
            st = fail(why, "could not read the spooled body", INGEST_FAILED);
        }
    } else if (st == INGEST_OK) {
        st = fail(why, "empty multipart body", INGEST_BAD);
    }
    storage_form form;
    if (st == INGEST_OK && !storage_multipart_parse(req->arena, request_header(req, "content-type"),
                                                    data, (size_t)k.size, &form, why))
        st = INGEST_BAD;
    if (st == INGEST_OK && (long)form.part_len > limit)
        st = fail(why, "The object exceeded the maximum allowed size", INGEST_TOO_LARGE);
    if (st == INGEST_OK) {
        sink file;
        sink_open(&file, out->blob.fd);
        bool written = sink_write(&file, form.part, form.part_len);
        sink_close(&file, out->md5);
        out->size = file.size;
        out->declared_type = form.content_type_field ? form.content_type_field : form.part_type;
        out->cache_control = form.cache_control;
        out->user_metadata = form.metadata;
        if (!written)
            st = fail(why, "could not store the object", INGEST_FAILED);
    }
    if (data)
        munmap((void *)data, (size_t)k.size);
    be->discard(&scratch);
    return st;
}

ingest_status storage_ingest(request *req, http_io *io, const storage_settings *s,
                             const storage_backend *be, long limit, storage_body *out,
                             const char **why)
{
    memset(out, 0, sizeof *out);
    out->blob.fd = -1;
    if (req->content_length > s->limits.max_body)
        return fail(why, "The object exceeded the maximum allowed size", INGEST_TOO_LARGE);
    const char *type = request_header(req, "content-type");
    if (!is_multipart(type) && req->content_length > limit)
        return fail(why, "The object exceeded the maximum allowed size", INGEST_TOO_LARGE);
    if (!be->create(s, req->arena, &out->blob))
        return fail(why, "could not store the object", INGEST_FAILED);
    ingest_status st = is_multipart(type) ? ingest_form(req, io, s, be, limit, out, why)
                                          : ingest_raw(req, io, limit, out, why);
    if (st != INGEST_OK)
        be->discard(&out->blob);
    return st;
}
