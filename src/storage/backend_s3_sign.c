/* The pure parts of the S3 backend: the settings check, addresses of keys
 * (path-style or virtual-hosted), AWS URI encoding and SigV4 query signing
 * of presigned download URLs with OpenSSL's HMAC-SHA256 and SHA-256; see
 * backend_s3.h. Requests themselves are signed by libcurl. Also the
 * Range header of downloads streamed from the store. */
#include "storage/backend_s3.h"

#include "core/sbuf.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool missing(const char *v)
{
    return !v || !*v;
}

bool storage_s3_settings_complete(const storage_s3_settings *s, char *err, size_t errlen)
{
    const char *names[] = {"STORAGE_S3_ENDPOINT", "STORAGE_S3_BUCKET", "STORAGE_S3_ACCESS_KEY",
                           "STORAGE_S3_SECRET_KEY", "STORAGE_S3_REGION"};
    const char *values[] = {s->endpoint, s->bucket, s->access_key, s->secret_key, s->region};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (missing(values[i])) {
            snprintf(err, errlen, "%s: required when STORAGE_BACKEND=s3", names[i]);
            return false;
        }
    }
    arena *a = arena_new(1024);
    storage_s3_where w;
    bool ok = storage_s3_where_of(a, s, "k", &w);
    arena_free(a);
    if (!ok)
        snprintf(err, errlen, "STORAGE_S3_ENDPOINT: must be http(s)://host[:port] without a path");
    return ok;
}

const char *storage_s3_key(arena *a, const char *id, const char *version)
{
    return arena_printf(a, "objects/%.2s/%s/%s", id, id, version);
}

const char *storage_s3_uri_encode(arena *a, const char *text, bool keep_slash)
{
    sbuf b;
    sbuf_init(&b, a, strlen(text) * 3 + 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/'))
            sbuf_putc(&b, (char)*p);
        else
            sbuf_printf(&b, "%%%02X", *p);
    }
    return b.data ? b.data : "";
}

bool storage_s3_where_of(arena *a, const storage_s3_settings *s, const char *key,
                         storage_s3_where *out)
{
    const char *e = s->endpoint;
    const char *rest = NULL;
    if (strncmp(e, "http://", 7) == 0)
        rest = e + 7;
    else if (strncmp(e, "https://", 8) == 0)
        rest = e + 8;
    if (!rest)
        return false;
    size_t hostlen = strcspn(rest, "/?#");
    if (hostlen == 0 || (rest[hostlen] && strcmp(rest + hostlen, "/") != 0))
        return false;
    const char *scheme = arena_strndup(a, e, (size_t)(rest - e));
    const char *host = arena_strndup(a, rest, hostlen);
    const char *enc_key = storage_s3_uri_encode(a, key, true);
    if (s->path_style) {
        out->host = host;
        out->path = arena_printf(a, "/%s%s%s", storage_s3_uri_encode(a, s->bucket, false),
                                 *key ? "/" : "", enc_key);
    } else {
        out->host = arena_printf(a, "%s.%s", s->bucket, host);
        out->path = arena_printf(a, "/%s", enc_key);
    }
    out->base = arena_printf(a, "%s%s", scheme, out->host);
    return true;
}

const char *storage_s3_url(arena *a, const storage_s3_where *w)
{
    return arena_printf(a, "%s%s", w->base, w->path);
}

static void hex_of(const unsigned char *md, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void hmac(const void *key, size_t keylen, const char *data, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, strlen(data), out, &n);
}

/* The SigV4 signing key: HMAC chain over date, region, "s3",
 * "aws4_request" starting from "AWS4" + secret. */
static void signing_key(arena *a, const char *secret, const char *date, const char *region,
                        unsigned char out[32])
{
    const char *k0 = arena_printf(a, "AWS4%s", secret);
    unsigned char k1[32], k2[32], k3[32];
    hmac(k0, strlen(k0), date, k1);
    hmac(k1, 32, region, k2);
    hmac(k2, 32, "s3", k3);
    hmac(k3, 32, "aws4_request", out);
}

typedef struct query_pair {
    const char *name, *value; /* both URI-encoded */
} query_pair;

static int pair_cmp(const void *x, const void *y)
{
    const query_pair *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->value, b->value);
}

/* The sorted, encoded query string of the presigned URL (without the
 * signature). */
static const char *canonical_query(arena *a, const char *credential, const char *stamp,
                                   long expires_s, const storage_s3_param *extra, size_t nextra)
{
    size_t n = 5 + nextra;
    query_pair *q = arena_alloc(a, sizeof *q * n);
    q[0] = (query_pair){"X-Amz-Algorithm", "AWS4-HMAC-SHA256"};
    q[1] = (query_pair){"X-Amz-Credential", storage_s3_uri_encode(a, credential, false)};
    q[2] = (query_pair){"X-Amz-Date", stamp};
    q[3] = (query_pair){"X-Amz-Expires", arena_printf(a, "%ld", expires_s)};
    q[4] = (query_pair){"X-Amz-SignedHeaders", "host"};
    for (size_t i = 0; i < nextra; i++)
        q[5 + i] = (query_pair){storage_s3_uri_encode(a, extra[i].name, false),
                                storage_s3_uri_encode(a, extra[i].value, false)};
    qsort(q, n, sizeof *q, pair_cmp);
    sbuf b;
    sbuf_init(&b, a, 512);
    for (size_t i = 0; i < n; i++)
        sbuf_printf(&b, "%s%s=%s", i ? "&" : "", q[i].name, q[i].value);
    return b.data;
}

const char *storage_s3_presign(arena *a, const storage_s3_where *w, const char *region,
                               const char *access_key, const char *secret_key, time_t now,
                               long expires_s, const storage_s3_param *extra, size_t nextra)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[17], date[9];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    strftime(date, sizeof date, "%Y%m%d", &tm);
    const char *scope = arena_printf(a, "%s/%s/s3/aws4_request", date, region);
    const char *query = canonical_query(a, arena_printf(a, "%s/%s", access_key, scope), stamp,
                                        expires_s, extra, nextra);
    const char *canonical =
        arena_printf(a, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", w->path, query, w->host);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)canonical, strlen(canonical), md);
    char md_hex[65];
    hex_of(md, sizeof md, md_hex);
    const char *to_sign = arena_printf(a, "AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, md_hex);
    unsigned char key[32], sig[32];
    signing_key(a, secret_key, date, region, key);
    hmac(key, sizeof key, to_sign, sig);
    char sig_hex[65];
    hex_of(sig, sizeof sig, sig_hex);
    return arena_printf(a, "%s%s?%s&X-Amz-Signature=%s", w->base, w->path, query, sig_hex);
}

/* Decimal digits at *p (no sign, no blanks), advancing *p; -1 when there
 * are none or too many. */
static long long range_number(const char **p)
{
    long long n = 0;
    const char *s = *p;
    while (*s >= '0' && *s <= '9' && s - *p < 18)
        n = n * 10 + (*s++ - '0');
    if (s == *p || (*s >= '0' && *s <= '9'))
        return -1;
    *p = s;
    return n;
}

storage_s3_range_kind storage_s3_parse_range(const char *h, long long size, storage_s3_range *out)
{
    if (!h || strncmp(h, "bytes=", 6) != 0)
        return STORAGE_S3_RANGE_NONE;
    const char *p = h + 6;
    if (*p == '-') {
        p++;
        long long n = range_number(&p);
        if (n < 0 || *p)
            return STORAGE_S3_RANGE_NONE;
        if (n == 0 || size == 0)
            return STORAGE_S3_RANGE_UNSATISFIABLE;
        out->start = n >= size ? 0 : size - n;
        out->end = size - 1;
        return STORAGE_S3_RANGE_ONE;
    }
    long long a = range_number(&p);
    if (a < 0 || *p++ != '-')
        return STORAGE_S3_RANGE_NONE;
    long long b = size - 1;
    if (*p) {
        b = range_number(&p);
        if (b < 0 || *p || b < a)
            return STORAGE_S3_RANGE_NONE;
    }
    if (a >= size)
        return STORAGE_S3_RANGE_UNSATISFIABLE;
    out->start = a;
    out->end = b < size ? b : size - 1;
    return STORAGE_S3_RANGE_ONE;
}
