/* Fuzzes the S3 backend's pure parts. Input: NUL-separated fields.
 * Field 0 is a Range header read against a size (field 1, digits, capped):
 * a range that is kept lies inside the object, and written back as
 * "bytes=start-end" it reads the same. Field 2 is an object key and field
 * 3 a response-content-disposition value: the presigned URL of that key
 * holds only URL-safe bytes (RFC 3986 unreserved, '%', '/', '?', '&', '=',
 * ':'), and its path decodes back to /bucket/key. */
#include "harness.h"

#include "core/sbuf.h"
#include "storage/backend_s3.h"

#include <stdlib.h>

static void check_range(arena *a, const char *header, const char *size_text)
{
    long long size = strtoll(size_text, NULL, 10);
    if (size < 0 || size > (1LL << 40))
        size = 1000;
    storage_s3_range r;
    storage_s3_range_kind k = storage_s3_parse_range(header, size, &r);
    if (k != STORAGE_S3_RANGE_ONE)
        return;
    FZ_ASSERT(r.start >= 0 && r.start <= r.end && r.end < size, "'%s' of %lld: %lld-%lld", header,
              size, r.start, r.end);
    storage_s3_range again;
    const char *text = arena_printf(a, "bytes=%lld-%lld", r.start, r.end);
    FZ_ASSERT(storage_s3_parse_range(text, size, &again) == STORAGE_S3_RANGE_ONE &&
                  again.start == r.start && again.end == r.end,
              "'%s' does not read back", text);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_presign(arena *a, const char *key, const char *disposition)
{
    storage_s3_settings s = {.endpoint = "http://127.0.0.1:9000",
                             .bucket = "b",
                             .region = "us-east-1",
                             .access_key = "AK",
                             .secret_key = "SK",
                             .path_style = true};
    storage_s3_where w;
    FZ_ASSERT(storage_s3_where_of(a, &s, key, &w), "no address for '%s'", key);
    storage_s3_param extra[] = {{"response-content-disposition", disposition}};
    const char *url = storage_s3_presign(a, &w, s.region, s.access_key, s.secret_key, 0, 60, extra,
                                         disposition[0] ? 1 : 0);
    for (const char *p = url; *p; p++)
        FZ_ASSERT(
            strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%/?&=:", *p),
            "byte %02x in %s", (unsigned char)*p, url);
    /* the path decodes back to /b/<key> */
    sbuf out;
    sbuf_init(&out, a, strlen(w.path) + 1);
    for (const char *p = w.path; *p; p++) {
        if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            FZ_ASSERT(hi >= 0 && lo >= 0, "bad escape in %s", w.path);
            sbuf_putc(&out, (char)(hi << 4 | lo));
            p += 2;
        } else {
            sbuf_putc(&out, *p);
        }
    }
    FZ_ASSERT(strcmp(out.data, arena_printf(a, "/b/%s", key)) == 0, "'%s' -> %s", key, w.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *f[4];
    fz_fields(data, size, f, 4);
    check_range(a, f[0], f[1]);
    if (f[2][0])
        check_presign(a, f[2], f[3]);
    return 0;
}
