/* Object key and bucket name rules; see key.h. */
#include "storage/key.h"

#include "core/utf8.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool refuse(const char **why, const char *message)
{
    if (why)
        *why = message;
    return false;
}

/* "C:" or "c:..." as the first segment: a Windows drive. */
static bool drive_letter(const char *key)
{
    return isalpha((unsigned char)key[0]) && key[1] == ':';
}

static bool segment_ok(const char *seg, size_t n, const char **why)
{
    if (n == 0)
        return refuse(why, "empty path segment");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
        return refuse(why, "'.' and '..' segments are not allowed");
    return true;
}

static bool characters_ok(const char *key, size_t n, const char **why)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7f)
            return refuse(why, "control characters are not allowed");
        if (c == '\\')
            return refuse(why, "backslashes are not allowed");
    }
    if (!utf8_valid(key, n))
        return refuse(why, "invalid UTF-8");
    return true;
}

bool storage_key_valid(const char *key, const char **why)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0)
        return refuse(why, "empty key");
    if (n > STORAGE_KEY_MAX)
        return refuse(why, "key longer than 1024 bytes");
    if (!characters_ok(key, n, why))
        return false;
    if (key[0] == '/')
        return refuse(why, "absolute paths are not allowed");
    if (drive_letter(key))
        return refuse(why, "drive letters are not allowed");
    const char *seg = key;
    for (;;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        if (!segment_ok(seg, len, why))
            return false;
        if (!slash)
            return true;
        seg = slash + 1;
    }
}

bool storage_bucket_name_valid(const char *name)
{
    static const char allowed[] = " _!.*'()&$=@;:+,?-";
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > STORAGE_BUCKET_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr(allowed, name[i]))
            return false;
    return true;
}

bool storage_raw_path_valid(const char *raw, const char **why)
{
    for (const char *p = raw; *p; p++) {
        if (*p == '\\')
            return refuse(why, "backslashes are not allowed");
        if (*p != '%' || !p[1] || !p[2])
            continue;
        if (strncasecmp(p, "%2f", 3) == 0)
            return refuse(why, "encoded slashes are not allowed");
        if (strncasecmp(p, "%5c", 3) == 0)
            return refuse(why, "backslashes are not allowed");
        if (strncmp(p, "%00", 3) == 0)
            return refuse(why, "NUL bytes are not allowed");
    }
    return true;
}
