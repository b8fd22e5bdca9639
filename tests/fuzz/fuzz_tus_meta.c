/* Fuzzes the TUS Upload-Metadata header reader (storage_tus_meta_parse).
 * Byte 0 picks the mode. Raw mode (even): the rest is the header; an
 * accepted header names bucketName and objectName, a refused one says why.
 * Round-trip mode (odd): the rest is up to five NUL-separated values
 * (bucketName, objectName, contentType, cacheControl, metadata), written
 * as a header the way tus-js-client writes it ("key base64,key base64")
 * and read back: every value must come back unchanged. */
#include "harness.h"

#include "storage/tus.h"

#include <openssl/evp.h>

static const char *const KEYS[] = {"bucketName", "objectName", "contentType", "cacheControl",
                                   "metadata"};

static const char *b64(arena *a, const char *s)
{
    size_t n = strlen(s);
    unsigned char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1);
    EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
    return (const char *)out;
}

static void round_trip(arena *a, const uint8_t *data, size_t size)
{
    const char *v[5];
    fz_fields(data, size, v, 5);
    if (!v[0][0] || !v[1][0])
        return; /* both names are required */
    const char *header = "";
    for (size_t i = 0; i < 5; i++)
        header = arena_printf(a, "%s%s%s %s", header, i ? "," : "", KEYS[i], b64(a, v[i]));
    storage_tus_meta m;
    const char *why = NULL;
    FZ_ASSERT(storage_tus_meta_parse(a, header, &m, &why), "refused '%s': %s", header, why);
    const char *got[5] = {m.bucket, m.object, m.content_type, m.cache_control, m.metadata};
    for (size_t i = 0; i < 5; i++)
        FZ_ASSERT(got[i] && strcmp(got[i], v[i]) == 0, "%s changed in '%s'", KEYS[i], header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        round_trip(a, data + 1, size - 1);
        return 0;
    }
    const char *header;
    fz_fields(data + 1, size - 1, &header, 1);
    storage_tus_meta m;
    const char *why = NULL;
    if (storage_tus_meta_parse(a, header, &m, &why))
        FZ_ASSERT(m.bucket && m.object, "accepted without bucketName and objectName");
    else
        FZ_ASSERT(why && *why, "refusal without a reason");
    return 0;
}
