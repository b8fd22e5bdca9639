/* Webhook receiver addresses; see webhook_url.h. Spellings of IPv4
 * addresses are read by inet_aton (which accepts every form connect() would
 * reach: 2852039166, 0xa9fea9fe, 0251.0376.0251.0376, 169.254.43518, ...),
 * IPv6 by inet_pton, names by getaddrinfo; nothing is parsed by hand. */
#include "webhooks/webhook_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool v4_in(uint32_t addr, const char *net, int bits)
{
    struct in_addr n;
    inet_pton(AF_INET, net, &n);
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (addr & mask) == (ntohl(n.s_addr) & mask);
}

static bool v4_allowed(uint32_t addr, bool deny_private, char *why, size_t whylen)
{
    if (v4_in(addr, "169.254.0.0", 16)) {
        snprintf(why, whylen, "link-local addresses (169.254.0.0/16) are not allowed");
        return false;
    }
    static const struct {
        const char *net;
        int bits;
    } PRIVATE[] = {{"0.0.0.0", 8},     {"10.0.0.0", 8},     {"100.64.0.0", 10}, {"127.0.0.0", 8},
                   {"172.16.0.0", 12}, {"192.168.0.0", 16}, {"192.0.0.0", 24},  {"198.18.0.0", 15},
                   {"224.0.0.0", 4},   {"240.0.0.0", 4}};
    for (size_t i = 0; deny_private && i < sizeof PRIVATE / sizeof PRIVATE[0]; i++) {
        if (v4_in(addr, PRIVATE[i].net, PRIVATE[i].bits)) {
            snprintf(why, whylen,
                     "private and loopback addresses are not allowed "
                     "(WEBHOOK_DENY_PRIVATE)");
            return false;
        }
    }
    return true;
}

static bool v6_prefix(const uint8_t *a, const char *net, int bits)
{
    struct in6_addr n;
    inet_pton(AF_INET6, net, &n);
    for (int i = 0; i < 16 && bits > 0; i++, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
        if ((a[i] & mask) != (n.s6_addr[i] & mask))
            return false;
    }
    return true;
}

static uint32_t v4_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64,
 * 6to4): true with it in *v4. */
static bool v6_embedded_v4(const uint8_t *a, uint32_t *v4)
{
    if (v6_prefix(a, "::ffff:0:0", 96) || v6_prefix(a, "64:ff9b::", 96) ||
        v6_prefix(a, "64:ff9b:1::", 48)) {
        *v4 = v4_at(a + 12);
        return true;
    }
    if (v6_prefix(a, "::", 96) && v4_at(a + 12) > 1) { /* ::a.b.c.d, not :: or ::1 */
        *v4 = v4_at(a + 12);
        return true;
    }
    if (v6_prefix(a, "2002::", 16)) {
        *v4 = v4_at(a + 2);
        return true;
    }
    return false;
}

static bool v6_allowed(const uint8_t *a, bool deny_private, char *why, size_t whylen)
{
    uint32_t v4;
    if (v6_embedded_v4(a, &v4))
        return v4_allowed(v4, deny_private, why, whylen);
    if (v6_prefix(a, "fe80::", 10) || v6_prefix(a, "fd00:ec2::254", 128)) {
        snprintf(why, whylen, "link-local addresses (fe80::/10) are not allowed");
        return false;
    }
    if (deny_private && (v6_prefix(a, "::", 127) || v6_prefix(a, "fc00::", 7) ||
                         v6_prefix(a, "fec0::", 10) || v6_prefix(a, "ff00::", 8))) {
        snprintf(why, whylen,
                 "private and loopback addresses are not allowed (WEBHOOK_DENY_PRIVATE)");
        return false;
    }
    return true;
}

bool webhook_addr_allowed(const struct sockaddr *sa, bool deny_private, char *why, size_t whylen)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_allowed(ntohl(in->sin_addr.s_addr), deny_private, why, whylen);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return v6_allowed(in6->sin6_addr.s6_addr, deny_private, why, whylen);
    }
    snprintf(why, whylen, "only IPv4 and IPv6 receivers are allowed");
    return false;
}

/* Every address getaddrinfo gives for host must be allowed. */
static bool host_resolved_allowed(const char *host, bool deny_private, char *why, size_t whylen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return true; /* unknown now: checked again at delivery */
    bool ok = true;
    for (struct addrinfo *ai = res; ai && ok; ai = ai->ai_next)
        ok = webhook_addr_allowed(ai->ai_addr, deny_private, why, whylen);
    freeaddrinfo(res);
    return ok;
}

static bool host_allowed(const char *host, bool deny_private, bool resolve, char *why,
                         size_t whylen)
{
    char name[256];
    size_t n = strlen(host);
    if (n >= sizeof name) {
        snprintf(why, whylen, "url host is too long");
        return false;
    }
    memcpy(name, host, n + 1);
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') { /* an IPv6 literal */
        name[n - 1] = '\0';
        char *zone = strchr(name, '%');
        if (zone)
            *zone = '\0';
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
        if (inet_pton(AF_INET6, name + 1, &in6.sin6_addr) != 1) {
            snprintf(why, whylen, "url host is not a valid IPv6 address");
            return false;
        }
        return webhook_addr_allowed((struct sockaddr *)&in6, deny_private, why, whylen);
    }
    while (n > 0 && name[n - 1] == '.') /* "169.254.169.254." is the same host */
        name[--n] = '\0';
    struct sockaddr_in in = {.sin_family = AF_INET};
    if (inet_aton(name, &in.sin_addr))
        return webhook_addr_allowed((struct sockaddr *)&in, deny_private, why, whylen);
    return !resolve || host_resolved_allowed(name, deny_private, why, whylen);
}

static bool url_ascii(const char *url, char *why, size_t whylen)
{
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            snprintf(why, whylen, "url must be ASCII without spaces or control characters");
            return false;
        }
    }
    return true;
}

static bool url_parts_check(CURLU *u, bool deny_private, bool resolve, char *why, size_t whylen)
{
    char *scheme = NULL, *host = NULL;
    bool ok = false;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        snprintf(why, whylen, "url must be an absolute http:// or https:// URL");
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
        snprintf(why, whylen, "url must name a host");
    else
        ok = host_allowed(host, deny_private, resolve, why, whylen);
    curl_free(scheme);
    curl_free(host);
    return ok;
}

bool webhook_url_check(const char *url, bool deny_private, bool resolve, char *why, size_t whylen)
{
    if (!*url || strlen(url) > WEBHOOK_URL_MAX) {
        snprintf(why, whylen, "url must be 1 to %d characters", WEBHOOK_URL_MAX);
        return false;
    }
    if (!url_ascii(url, why, whylen))
        return false;
    /* scheme://authority: "http:///path" and "http:/x" are not absolute URLs */
    const char *slashes = strstr(url, "://");
    if (!slashes || slashes[3] == '/' || slashes[3] == '\0') {
        snprintf(why, whylen, "url must be an absolute http:// or https:// URL");
        return false;
    }
    CURLU *u = curl_url();
    if (!u) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    bool ok;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
        snprintf(why, whylen, "url must be an absolute http:// or https:// URL");
        ok = false;
    } else {
        ok = url_parts_check(u, deny_private, resolve, why, whylen);
    }
    curl_url_cleanup(u);
    return ok;
}
