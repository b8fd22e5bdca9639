/* The database backend (STORAGE_BACKEND=database): object bytes as 1 MiB
 * bytea chunks in storage.object_chunks, for single-database deployments
 * and backups in one place; see backend.h. Uploads are spooled under
 * STORAGE_ROOT as with the disk backend, then copied chunk by chunk into
 * the caller's open transaction (one chunk in memory at a time, sent as
 * hex text); downloads are streamed chunk by chunk as service_role. Old
 * versions disappear with their rows (a trigger), so remove() has nothing
 * to do. Ranges are not served (downloads are whole objects). */
#include "storage/backend.h"

#include "core/log.h"
#include "storage/callers.h"
#include "storage/reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

/* "\x" + lower-case hex of data: bytea's text input (malloc'd, NULL when
 * out of memory). */
static char *hex_bytea(const unsigned char *data, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(2 * n + 3);
    if (!out)
        return NULL;
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = digits[data[i] >> 4];
        out[3 + 2 * i] = digits[data[i] & 15];
    }
    out[2 * n + 2] = '\0';
    return out;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* bytea's hex output back to bytes, in place; the length or -1. */
static long unhex(char *text)
{
    if (text[0] != '\\' || text[1] != 'x')
        return -1;
    long n = 0;
    for (const char *p = text + 2; p[0] && p[1]; p += 2) {
        int hi = hex_value(p[0]), lo = hex_value(p[1]);
        if (hi < 0 || lo < 0)
            return -1;
        text[n++] = (char)(hi << 4 | lo);
    }
    return n;
}

/* Sends one chunk in txn and waits for it, so that only one chunk is in
 * memory at a time. */
static bool put_chunk(const storage_settings *s, arena *a, db_txn *txn, const char *id,
                      const char *version, int n, const unsigned char *data, size_t len)
{
    char *hex = hex_bytea(data, len);
    if (!hex)
        return false;
    const char *params[] = {id, version, arena_printf(a, "%d", n), hex};
    db_txn_add(txn, "select storage.put_chunk($1::uuid, $2, $3::integer, $4::bytea)", 4, params);
    bool ok = db_txn_run(txn, s->txn_wait_ms) == DB_OK;
    free(hex);
    return ok;
}

static bool db_place(const storage_settings *s, arena *a, storage_blob *b, const char *id,
                     const char *version, db_txn *txn)
{
    unsigned char *buf = arena_alloc(a, CHUNK);
    bool ok = lseek(b->fd, 0, SEEK_SET) == 0;
    for (int n = 0; ok; n++) {
        size_t got = 0;
        ssize_t r = 0;
        while (got < CHUNK && (r = read(b->fd, buf + got, CHUNK - got)) > 0)
            got += (size_t)r;
        if (r < 0) {
            ok = false;
            break;
        }
        if (got == 0 && n > 0)
            break;
        ok = put_chunk(s, a, txn, id, version, n, buf, got);
        if (got < CHUNK)
            break;
    }
    if (!ok)
        log_event("storage: cannot store %s/%s in the database", id, version);
    storage_spool_discard(b);
    return ok;
}

static bool db_remove(const storage_settings *s, arena *a, const char *id, const char *version)
{
    (void)s, (void)a, (void)id, (void)version; /* the row's trigger dropped the chunks */
    return true;
}

static bool db_copy(const storage_settings *s, arena *a, const char *id, const char *version,
                    const char *dst_id, const char *dst_version, db_txn *txn)
{
    (void)a;
    const char *params[] = {id, version, dst_id, dst_version};
    db_txn_add(txn, "select storage.copy_chunks($1::uuid, $2, $3::uuid, $4)", 4, params);
    return db_txn_run(txn, s->txn_wait_ms) == DB_OK;
}

/* One chunk as hex text in the chunk arena ca (freed by the caller once
 * sent), or NULL after the last (or a failure: *failed). */
static char *fetch_chunk(const storage_settings *s, request *req, arena *ca, const char *id,
                         const char *version, int n, bool *failed)
{
    db_caller caller = storage_service_caller(req, s);
    db_txn *txn = db_txn_new(ca, req->app->db, &caller);
    const char *params[] = {id, version, arena_printf(ca, "%d", n)};
    int q = db_txn_add(txn,
                       "select data from storage.object_chunks where object_id = $1::uuid"
                       " and version = $2 and n = $3::integer",
                       3, params);
    if (db_txn_run(txn, s->txn_wait_ms) != DB_OK) {
        *failed = true;
        return NULL;
    }
    PGresult *r = db_txn_result(txn, q);
    return PQntuples(r) ? PQgetvalue(r, 0, 0) : NULL;
}

static void db_send(const storage_settings *s, request *req, response *res, const char *id,
                    const char *version, const char *size)
{
    bool failed = false, started = false;
    for (int n = 0;; n++) {
        arena *ca = arena_new(64 * 1024);
        char *chunk = fetch_chunk(s, req, ca, id, version, n, &failed);
        long len = chunk ? unhex(chunk) : -1;
        if (!started && len < 0 && atol(size) > 0) {
            arena_free(ca);
            storage_error(res, 500, "InternalError", "the object's bytes are missing");
            return;
        }
        if (!started) {
            response_set_header(res, "Content-Length", size);
            response_set_header(res, "Accept-Ranges", "none");
            res->status = 200;
            response_stream_begin(res);
            started = true;
        }
        bool sent = len > 0 && response_stream_write(res, chunk, (size_t)len);
        arena_free(ca);
        if (!sent)
            break;
    }
    if (failed)
        log_event("storage: download of %s/%s cut short (database)", id, version);
}

const storage_backend storage_database_backend = {
    .name = "database",
    .create = storage_spool_create,
    .place = db_place,
    .discard = storage_spool_discard,
    .remove = db_remove,
    .copy = db_copy,
    .open_part = storage_spool_open_part,
    .remove_part = storage_spool_remove_part,
    .path = NULL,
    .send = db_send,
};
