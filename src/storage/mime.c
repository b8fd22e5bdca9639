/* Content sniffing with libmagic and the rules that compare types; see
 * mime.h. One magic cookie per worker, loaded on first use. */
#include "storage/mime.h"

#include "core/utf8.h"

#include <ctype.h>
#include <magic.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SNIFF_BYTES (1024 * 1024)

static magic_t cookie(void)
{
    static magic_t m;
    if (!m) {
        m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (m && magic_load(m, NULL) != 0) {
            magic_close(m);
            m = NULL;
        }
    }
    return m;
}

/* libmagic calls a few bytes of text "application/octet-stream"; UTF-8
 * without control characters (tab and line ends aside) is plain text. */
static bool plain_text(const char *buf, size_t n)
{
    if (n == 0 || n == SNIFF_BYTES) /* a cut may split a character */
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return false;
    }
    return utf8_valid(buf, n);
}

const char *storage_mime_sniff(arena *a, int fd)
{
    magic_t m = cookie();
    char *buf = arena_alloc(a, SNIFF_BYTES);
    ssize_t n = m ? pread(fd, buf, SNIFF_BYTES, 0) : -1;
    const char *type = n >= 0 ? magic_buffer(m, buf, (size_t)n) : NULL;
    if (!type || strcmp(type, "application/octet-stream") == 0)
        type = n > 0 && plain_text(buf, (size_t)n) ? "text/plain" : "application/octet-stream";
    return arena_strdup(a, type);
}

const char *storage_mime_base(arena *a, const char *content_type)
{
    if (!content_type)
        return NULL;
    while (*content_type == ' ')
        content_type++;
    size_t n = strcspn(content_type, "; \t");
    if (n == 0)
        return NULL;
    char *out = arena_strndup(a, content_type, n);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Text a person or program reads: the text family, JSON, XML, scripts. */
static bool textual(const char *t)
{
    static const char *const apps[] = {
        "application/json",         "application/xml",        "application/javascript",
        "application/x-ndjson",     "application/csv",        "application/yaml",
        "application/x-yaml",       "application/toml",       "application/sql",
        "application/x-sh",         "application/ecmascript", "application/graphql",
        "application/x-javascript", "application/rtf",        "application/x-subrip",
    };
    if (starts(t, "text/") || ends(t, "+json") || ends(t, "+xml"))
        return true;
    for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++)
        if (strcmp(t, apps[i]) == 0)
            return true;
    return false;
}

/* Programs the system runs. */
bool storage_mime_executable(const char *t)
{
    static const char *const exe[] = {
        "application/x-executable", "application/x-sharedlib",   "application/x-pie-executable",
        "application/x-dosexec",    "application/x-mach-binary", "application/x-elf",
        "application/x-msdownload", "application/java-archive",  "application/x-object",
        "application/x-coredump",
    };
    for (size_t i = 0; i < sizeof exe / sizeof exe[0]; i++)
        if (strcmp(t, exe[i]) == 0)
            return true;
    return false;
}

static size_t top_len(const char *t)
{
    const char *slash = strchr(t, '/');
    return slash ? (size_t)(slash - t) : strlen(t);
}

static bool same_top(const char *a, const char *b)
{
    size_t n = top_len(a);
    return n == top_len(b) && strncmp(a, b, n) == 0;
}

bool storage_mime_active(const char *t)
{
    return strcmp(t, "text/html") == 0 || strcmp(t, "image/svg+xml") == 0 ||
           strcmp(t, "application/xhtml+xml") == 0 || strcmp(t, "text/xml") == 0 ||
           strcmp(t, "application/xml") == 0 || strcmp(t, "text/javascript") == 0 ||
           strcmp(t, "application/javascript") == 0;
}

static bool media(const char *t)
{
    return starts(t, "image/") || starts(t, "audio/") || starts(t, "video/") || starts(t, "font/");
}

bool storage_mime_compatible(const char *declared, const char *sniffed)
{
    if (strcmp(declared, sniffed) == 0 || strcmp(declared, "application/octet-stream") == 0)
        return true;
    if (strcmp(sniffed, "inode/x-empty") == 0 || strcmp(sniffed, "application/x-empty") == 0)
        return true;
    if (storage_mime_executable(sniffed))
        return false;
    if (strcmp(sniffed, "image/svg+xml") == 0) /* markup: only as itself or plain text */
        return strcmp(declared, "text/plain") == 0;
    if (textual(sniffed))
        return textual(declared);
    if (strcmp(sniffed, "application/octet-stream") == 0)
        return !textual(declared) && !media(declared);
    if (media(sniffed))
        return same_top(declared, sniffed) && strcmp(declared, "image/svg+xml") != 0;
    return starts(sniffed, "application/") && starts(declared, "application/") &&
           !textual(declared) && !storage_mime_executable(declared);
}

bool storage_mime_listed(const char *type, const char *const *allowed, int count)
{
    for (int i = 0; i < count; i++) {
        const char *entry = allowed[i];
        size_t n = strlen(entry);
        if (strcasecmp(entry, type) == 0 || strcmp(entry, "*/*") == 0 || strcmp(entry, "*") == 0)
            return true;
        if (n >= 2 && strcmp(entry + n - 2, "/*") == 0 && strncasecmp(entry, type, n - 1) == 0)
            return true;
    }
    return false;
}
