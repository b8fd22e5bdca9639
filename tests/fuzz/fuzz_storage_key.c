/* Fuzzes the storage traversal rule as a request meets it: the raw
 * (still percent-encoded) object path is judged, decoded, and the decoded
 * key judged again (storage_raw_path_valid, percent_decode,
 * storage_key_valid), plus the bucket-name rule. Whatever passes must keep
 * the rule's promises, checked here independently: no '.', '..' or empty
 * segment, no leading '/', no drive letter, no backslash or control byte,
 * valid UTF-8 of at most 1024 bytes, and as many '/' as the raw path had
 * (no encoded slash changed the segmenting). Input: the raw path. */
#include "harness.h"

#include "storage/key.h"

#include <ctype.h>

static size_t count_slashes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

static void check_segments(const char *key)
{
    const char *seg = key;
    for (;;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        FZ_ASSERT(len > 0, "empty segment in accepted key '%s'", key);
        FZ_ASSERT(!(len == 1 && seg[0] == '.'), "'.' segment in accepted key '%s'", key);
        FZ_ASSERT(!(len == 2 && seg[0] == '.' && seg[1] == '.'), "'..' in accepted key '%s'", key);
        if (!slash)
            return;
        seg = slash + 1;
    }
}

static void check_key(const char *raw, const char *key)
{
    size_t n = strlen(key);
    FZ_ASSERT(n > 0 && n <= STORAGE_KEY_MAX, "accepted key of %zu bytes", n);
    FZ_ASSERT(utf8_valid(key, n), "accepted key is not UTF-8");
    FZ_ASSERT(key[0] != '/', "accepted absolute key '%s'", key);
    FZ_ASSERT(!(isalpha((unsigned char)key[0]) && key[1] == ':'), "drive letter in '%s'", key);
    for (const char *p = key; *p; p++)
        FZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f && *p != '\\',
                  "control byte or backslash in accepted key");
    FZ_ASSERT(count_slashes(key) == count_slashes(raw), "decoding changed the segments of '%s'",
              raw);
    check_segments(key);
}

static void check_bucket(const char *name)
{
    if (!storage_bucket_name_valid(name))
        return;
    FZ_ASSERT(strcmp(name, ".") != 0 && strcmp(name, "..") != 0, "dot bucket name");
    FZ_ASSERT(!strchr(name, '/') && !strchr(name, '\\'), "separator in bucket name '%s'", name);
    FZ_ASSERT(strlen(name) <= STORAGE_BUCKET_MAX, "bucket name too long");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *raw;
    fz_fields(data, size, &raw, 1);
    check_bucket(raw);
    const char *why = NULL;
    if (!storage_raw_path_valid(raw, &why))
        return 0;
    char *key;
    if (percent_decode(a, raw, strlen(raw), false, &key) != QUERY_OK)
        return 0;
    if (storage_key_valid(key, &why))
        check_key(raw, key);
    else
        FZ_ASSERT(why && *why, "refusal without a reason");
    return 0;
}
