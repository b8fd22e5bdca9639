/* Address matching and client-address selection; see netaddr.h. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct ipaddr {
    int family;
    unsigned char bytes[16];
} ipaddr;

static bool parse_ip(const char *text, size_t n, ipaddr *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static bool entry_matches(const ipaddr *ip, const char *entry)
{
    const char *slash = strchr(entry, '/');
    size_t n = slash ? (size_t)(slash - entry) : strlen(entry);
    ipaddr net;
    if (!parse_ip(entry, n, &net) || net.family != ip->family)
        return false;
    int maxbits = ip->family == AF_INET ? 32 : 128;
    int bits = maxbits;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || b < 0 || b > maxbits)
            return false;
        bits = (int)b;
    }
    return prefix_equal(ip->bytes, net.bytes, bits);
}

bool netaddr_in_list(const char *addr, const str_list *list)
{
    ipaddr ip;
    if (!addr || !parse_ip(addr, strlen(addr), &ip))
        return false;
    for (size_t i = 0; i < list->count; i++)
        if (entry_matches(&ip, list->items[i]))
            return true;
    return false;
}

static const char *trim_copy(arena *a, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

const char *netaddr_client(arena *a, const char *remote_addr, const char *forwarded_for,
                           const str_list *trusted)
{
    if (!forwarded_for || !netaddr_in_list(remote_addr, trusted))
        return remote_addr;
    const char *end = forwarded_for + strlen(forwarded_for);
    while (end > forwarded_for) {
        const char *start = end;
        while (start > forwarded_for && start[-1] != ',')
            start--;
        const char *candidate = trim_copy(a, start, (size_t)(end - start));
        ipaddr ip;
        if (!parse_ip(candidate, strlen(candidate), &ip))
            return remote_addr; /* garbage in the header: trust only the peer */
        if (!netaddr_in_list(candidate, trusted))
            return candidate;
        end = start > forwarded_for ? start - 1 : start;
    }
    return remote_addr;
}
