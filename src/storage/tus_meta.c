/* The Upload-Metadata header of TUS 1.0.0: comma-separated "key value"
 * pairs, each value base64; see tus.h. */
#include "storage/tus.h"

#include <openssl/evp.h>
#include <string.h>

static bool refuse(const char **why, const char *message)
{
    *why = message;
    return false;
}

/* Standard base64 (padding optional) → text; NULL when malformed. */
static const char *decode(arena *a, const char *b64, size_t n)
{
    if (n == 0)
        return "";
    size_t padded = (n + 3) / 4 * 4;
    unsigned char *in = arena_alloc(a, padded + 1);
    memcpy(in, b64, n);
    memset(in + n, '=', padded - n);
    size_t pad = 0;
    for (size_t i = padded; i > 0 && in[i - 1] == '='; i--)
        pad++;
    if (pad > 2)
        return NULL;
    unsigned char *out = arena_alloc(a, padded / 4 * 3 + 1);
    int len = EVP_DecodeBlock(out, in, (int)padded);
    if (len < 0)
        return NULL;
    len -= (int)pad;
    out[len] = '\0';
    if (memchr(out, '\0', (size_t)len))
        return NULL; /* values are text */
    return (const char *)out;
}

static void keep(storage_tus_meta *m, const char *key, size_t klen, const char *value)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"bucketName", offsetof(storage_tus_meta, bucket)},
        {"objectName", offsetof(storage_tus_meta, object)},
        {"contentType", offsetof(storage_tus_meta, content_type)},
        {"cacheControl", offsetof(storage_tus_meta, cache_control)},
        {"metadata", offsetof(storage_tus_meta, metadata)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strlen(fields[i].name) == klen && memcmp(fields[i].name, key, klen) == 0)
            *(const char **)((char *)m + fields[i].offset) = value;
}

bool storage_tus_meta_parse(arena *a, const char *header, storage_tus_meta *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (!header || !*header)
        return refuse(why, "Metadata header is required");
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t pair = strcspn(p, ",");
        size_t klen = strcspn(p, " ,");
        if (klen == 0)
            return refuse(why, "malformed Upload-Metadata");
        const char *v = p + klen;
        while (v < p + pair && *v == ' ')
            v++;
        const char *value = decode(a, v, (size_t)(p + pair - v));
        if (!value)
            return refuse(why, "Upload-Metadata values must be base64 text");
        keep(out, p, klen, value);
        p += pair;
    }
    if (!out->bucket || !out->object)
        return refuse(why, "Upload-Metadata must name bucketName and objectName");
    return true;
}
