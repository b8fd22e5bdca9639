/* Where object bytes live, behind one small interface (a table of
 * function pointers, one file per kind).
 *
 * Three kinds: disk (files under STORAGE_ROOT, downloads by X-Sendfile),
 * database (1 MiB bytea chunks in storage.object_chunks, written in the
 * caller's transaction, streamed through the worker) and s3 (an
 * S3-compatible store through libcurl, backend_s3.c). All spool uploads
 * and resumable parts under STORAGE_ROOT first.
 *
 * Files are immutable: every write makes a new version (a random id), so
 * an upsert never overwrites bytes a download may be reading, and the old
 * version is removed only after the database says the new one is current.
 * The layout derives from the object's uuid and version, never from the
 * user's key: objects/<id[0..1]>/<id>/<version>. */
#ifndef PGSTACK_STORAGE_BACKEND_H
#define PGSTACK_STORAGE_BACKEND_H

#include "core/arena.h"
#include "core/request.h"
#include "core/response.h"
#include "db/txn.h"
#include "storage/storage_settings.h"

#include <stdbool.h>
#include <stddef.h>

/* A file being written: created in the backend's temporary area. */
typedef struct storage_blob {
    int fd;
    const char *temp_path;
} storage_blob;

typedef struct storage_backend {
    const char *name;
    /* The bytes live in another service (S3): its failures are 503. */
    bool remote;
    /* A new empty temporary file. */
    bool (*create)(const storage_settings *s, arena *a, storage_blob *out);
    /* Moves the blob into place as (id, version), inside txn (the caller's
     * open transaction, whose row already names the version); the blob is
     * closed either way. */
    bool (*place)(const storage_settings *s, arena *a, storage_blob *b, const char *id,
                  const char *version, db_txn *txn);
    /* Drops a blob that will not be placed. */
    void (*discard)(storage_blob *b);
    /* Removes a placed version; false when it may still be there (a
     * missing version is not an error). storage.garbage (garbage.h)
     * retries what failed. */
    bool (*remove)(const storage_settings *s, arena *a, const char *id, const char *version);
    /* Makes (dst_id, dst_version) hold the same bytes as (id, version),
     * inside txn like place(). */
    bool (*copy)(const storage_settings *s, arena *a, const char *id, const char *version,
                 const char *dst_id, const char *dst_version, db_txn *txn);
    /* The bytes of a resumable upload received so far (uploads/<id>),
     * created when missing and opened for reading and appending; place()
     * moves it into place like any blob. */
    bool (*open_part)(const storage_settings *s, arena *a, const char *upload_id,
                      storage_blob *out);
    void (*remove_part)(const storage_settings *s, arena *a, const char *upload_id);
    /* The file of a placed version, for X-Sendfile and streaming; NULL
     * for backends without files (send() then streams the bytes). */
    const char *(*path)(const storage_settings *s, arena *a, const char *id, const char *version);
    /* Streams a placed version of size bytes as the reply body (headers
     * already set); NULL for backends with files. */
    void (*send)(const storage_settings *s, request *req, response *res, const char *id,
                 const char *version, const char *size);
} storage_backend;

extern const storage_backend storage_disk_backend;
extern const storage_backend storage_database_backend;
extern const storage_backend storage_s3_backend;

/* Spooling under STORAGE_ROOT, shared by every backend (disk.c). */
bool storage_spool_create(const storage_settings *s, arena *a, storage_blob *out);
void storage_spool_discard(storage_blob *b);
bool storage_spool_open_part(const storage_settings *s, arena *a, const char *upload_id,
                             storage_blob *out);
void storage_spool_remove_part(const storage_settings *s, arena *a, const char *upload_id);

/* The configured backend. */
const storage_backend *storage_backend_get(const storage_settings *s);

/* The reply when place() or copy() failed: 503 "the object store is
 * unavailable" for a remote backend, 500 with `what` otherwise. */
void storage_backend_failure(response *res, const storage_backend *be, const char *what);

/* A fresh random version id (32 hex digits). */
const char *storage_new_version(arena *a);

#endif
