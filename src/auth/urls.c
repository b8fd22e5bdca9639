/* Email links and redirect_to matching; see urls.h. */
#include "auth/auth_settings.h"
#include "auth/urls.h"

#include "core/sbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct url_parts {
    const char *scheme; /* lower or upper case as written, without "://" */
    size_t scheme_len;
    const char *host;
    size_t host_len;
    long port;
    const char *path;
    size_t path_len;
} url_parts;

char *auth_email_link(arena *a, const char *base, const char *path, const char *token,
                      const char *type, const char *redirect_to)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    sbuf b;
    sbuf_init(&b, a, 256);
    sbuf_append(&b, base, n);
    sbuf_printf(&b, "/auth/v1%s?token=%s", path, query_encode(a, token));
    if (type)
        sbuf_printf(&b, "&type=%s", query_encode(a, type));
    if (redirect_to)
        sbuf_printf(&b, "&redirect_to=%s", query_encode(a, redirect_to));
    return b.data;
}

const char *auth_link_base(const auth_settings *cfg)
{
    return cfg->api_external_url && *cfg->api_external_url ? cfg->api_external_url : cfg->site_url;
}

/* Printable ASCII without space, backslash, fragment or characters that
 * have no business in a URL. */
static bool url_chars_ok(const char *url)
{
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\\#\"<>^`{|}", *p))
            return false;
    return true;
}

static bool host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.';
}

/* host[:port] of the authority (IPv6 in brackets); false when malformed. */
static bool split_authority(const char *s, size_t n, url_parts *u)
{
    const char *colon = NULL;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return false;
        for (const char *p = s + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return false;
        colon = close + 1 < s + n ? close + 1 : NULL;
        if (colon && *colon != ':')
            return false;
        u->host_len = (size_t)(close + 1 - s);
    } else {
        colon = memchr(s, ':', n);
        u->host_len = colon ? (size_t)(colon - s) : n;
        for (size_t i = 0; i < u->host_len; i++)
            if (!host_char(s[i]))
                return false;
    }
    u->host = s;
    if (u->host_len == 0)
        return false;
    if (!colon)
        return true;
    size_t digits = n - (size_t)(colon + 1 - s);
    if (digits == 0 || digits > 5)
        return false;
    long port = 0;
    for (size_t i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)colon[1 + i]))
            return false;
        port = port * 10 + (colon[1 + i] - '0');
    }
    u->port = port;
    return port >= 1 && port <= 65535;
}

/* No "." or ".." segment, and no encoded dot, slash or backslash. */
static bool path_ok(const char *p, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if (strncasecmp(p + i, "%2e", 3) == 0 || strncasecmp(p + i, "%2f", 3) == 0 ||
            strncasecmp(p + i, "%5c", 3) == 0)
            return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t len = i - start;
            if ((len == 1 && p[start] == '.') ||
                (len == 2 && p[start] == '.' && p[start + 1] == '.'))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* Schemes never honoured, whatever the allow list says: they run code or
 * read local files instead of opening an app or a page. */
static bool scheme_dangerous(const char *s, size_t n)
{
    static const char *const bad[] = {"javascript", "data", "vbscript", "file", "blob"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strlen(bad[i]) == n && strncasecmp(s, bad[i], n) == 0)
            return true;
    return false;
}

/* "scheme://": a letter, then letters, digits, '+', '-', '.' (RFC 3986);
 * the length of the scheme, 0 when there is none. */
static size_t scheme_length(const char *url)
{
    if (!isalpha((unsigned char)url[0]))
        return 0;
    size_t n = 1;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return strncmp(url + n, "://", 3) == 0 ? n : 0;
}

static bool scheme_is(const url_parts *u, const char *name)
{
    return u->scheme_len == strlen(name) && strncasecmp(u->scheme, name, u->scheme_len) == 0;
}

static bool url_split(const char *url, url_parts *u)
{
    memset(u, 0, sizeof(*u));
    if (strlen(url) > REDIRECT_URL_MAX || !url_chars_ok(url))
        return false;
    u->scheme = url;
    u->scheme_len = scheme_length(url);
    if (u->scheme_len == 0 || scheme_dangerous(url, u->scheme_len))
        return false;
    const char *rest = url + u->scheme_len + 3;
    size_t auth_len = strcspn(rest, "/?");
    if (memchr(rest, '@', auth_len) || !split_authority(rest, auth_len, u))
        return false;
    if (u->port == 0 && scheme_is(u, "https"))
        u->port = 443;
    else if (u->port == 0 && scheme_is(u, "http"))
        u->port = 80;
    u->path = rest + auth_len;
    u->path_len = strcspn(u->path, "?");
    return path_ok(u->path, u->path_len);
}

static bool url_matches(const url_parts *c, const char *allowed)
{
    url_parts a;
    if (!url_split(allowed, &a) || a.scheme_len != c->scheme_len ||
        strncasecmp(a.scheme, c->scheme, a.scheme_len) != 0 || a.port != c->port ||
        a.host_len != c->host_len || strncasecmp(a.host, c->host, a.host_len) != 0)
        return false;
    size_t n = a.path_len;
    while (n > 0 && a.path[n - 1] == '/')
        n--;
    if (c->path_len < n || strncmp(c->path, a.path, n) != 0)
        return false;
    return c->path_len == n || c->path[n] == '/';
}

bool auth_redirect_url_allowed(const char *url, const char *site_url, const str_list *additional)
{
    url_parts c;
    if (!url || !url_split(url, &c))
        return false;
    if (site_url && url_matches(&c, site_url))
        return true;
    for (size_t i = 0; additional && i < additional->count; i++)
        if (url_matches(&c, additional->items[i]))
            return true;
    return false;
}

const char *auth_redirect_choose(const auth_settings *cfg, const char *requested,
                                 const char *stored)
{
    if (requested &&
        auth_redirect_url_allowed(requested, cfg->site_url, &cfg->additional_redirect_urls))
        return requested;
    if (stored && auth_redirect_url_allowed(stored, cfg->site_url, &cfg->additional_redirect_urls))
        return stored;
    return cfg->site_url;
}
