/* The S3 backend (STORAGE_BACKEND=s3): object bytes in one bucket of an
 * S3-compatible store (AWS S3, MinIO, Ceph RGW, Garage), under the same
 * key layout as the disk backend (objects/<id[0..1]>/<id>/<version>, never
 * the user's name). Requests go through libcurl, signed by its built-in
 * AWS SigV4 (CURLOPT_AWS_SIGV4); presigned download URLs (the redirect
 * mode) are signed here with OpenSSL's HMAC. backend_s3.c holds the
 * requests, backend_s3_sign.c the pure parts (addresses, URI encoding,
 * query signing), which the unit tests check against AWS's published
 * example. */
#ifndef PGSTACK_STORAGE_BACKEND_S3_H
#define PGSTACK_STORAGE_BACKEND_S3_H

#include "core/arena.h"
#include "storage/backend_s3_settings.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Where an S3 key lives: the URL base (scheme://host[:port]), the Host
 * header a client sends there, and the canonical path (/bucket/key in
 * path style, /key virtual-hosted). */
typedef struct storage_s3_where {
    const char *base;
    const char *host;
    const char *path;
} storage_s3_where;

/* The address of key in the configured store (key "": the bucket itself); false when the endpoint
 * is not http(s)://host[:port][/]. */
bool storage_s3_where_of(arena *a, const storage_s3_settings *s, const char *key,
                         storage_s3_where *out);

/* The URL of w (base + path). */
const char *storage_s3_url(arena *a, const storage_s3_where *w);

/* The object key of a stored version: objects/<id[0..1]>/<id>/<version>. */
const char *storage_s3_key(arena *a, const char *id, const char *version);

/* AWS URI encoding (RFC 3986 unreserved kept, the rest %XX upper case);
 * keep_slash for paths. */
const char *storage_s3_uri_encode(arena *a, const char *text, bool keep_slash);

/* One extra query parameter of a presigned URL (response-content-type...). */
typedef struct storage_s3_param {
    const char *name, *value;
} storage_s3_param;

/* A presigned GET URL of w (SigV4 query signing, UNSIGNED-PAYLOAD, host
 * the only signed header), valid for expires_s seconds from now. */
const char *storage_s3_presign(arena *a, const storage_s3_where *w, const char *region,
                               const char *access_key, const char *secret_key, time_t now,
                               long expires_s, const storage_s3_param *extra, size_t nextra);

/* A byte range of a download: start..end inclusive. */
typedef struct storage_s3_range {
    long long start, end;
} storage_s3_range;

typedef enum {
    STORAGE_S3_RANGE_NONE, /* no Range, or one that is ignored: the whole object */
    STORAGE_S3_RANGE_ONE,
    STORAGE_S3_RANGE_UNSATISFIABLE /* 416 */
} storage_s3_range_kind;

/* One "bytes=a-b", "bytes=a-" or "bytes=-n" range against size; anything
 * else (several ranges, other units, bad syntax) is ignored — the whole
 * object, as RFC 9110 allows. */
storage_s3_range_kind storage_s3_parse_range(const char *header, long long size,
                                             storage_s3_range *out);

/* HeadBucket with the configured address and credentials (pgstack
 * doctor): true when the store answers 200; otherwise why names the
 * status (403: the credentials, 404: no such bucket) or the connection
 * error. */
bool storage_s3_probe(const storage_s3_settings *s, char *why, size_t whylen);

#endif
