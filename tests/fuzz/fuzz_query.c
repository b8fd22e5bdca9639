/* Fuzzes core/query: percent_decode (with and without '+' as space) and
 * query_parse. Invariants: what decodes is valid UTF-8 without NUL; every
 * parsed key and value too; decode(encode(x)) == x for any x that is valid
 * UTF-8 without NUL (both for %XX of every byte and for the form encoding
 * with '+'); a query string built from encoded pairs parses back into
 * exactly those pairs. */
#include "harness.h"

#include <stdio.h>

/* Every byte but unreserved ones as %XX; with plus, ' ' as '+'. */
static char *encode(arena *a, const char *s, size_t n, bool plus)
{
    char *out = arena_alloc(a, 3 * n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (plus && c == ' ')
            *o++ = '+';
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~')
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    *o = '\0';
    return out;
}

static void decoded_ok(const char *s)
{
    FZ_ASSERT(utf8_valid(s, strlen(s)), "decoded text is not UTF-8");
}

static void roundtrip(arena *a, const char *x, size_t n)
{
    bool clean = utf8_valid(x, n) && !memchr(x, '\0', n);
    for (int plus = 0; plus < 2; plus++) {
        char *e = encode(a, x, n, plus), *d;
        query_status st = percent_decode(a, e, strlen(e), plus, &d);
        if (clean) {
            FZ_ASSERT(st == QUERY_OK, "encoded text does not decode: %s", e);
            FZ_ASSERT(strlen(d) == n && memcmp(d, x, n) == 0, "decode(encode(x)) != x for %s", e);
        } else {
            FZ_ASSERT(st != QUERY_OK, "decoded text that is not UTF-8 without NUL: %s", e);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *s = (const char *)data;
    char *d;
    for (int plus = 0; plus < 2; plus++)
        if (percent_decode(a, s, size, plus, &d) == QUERY_OK)
            decoded_ok(d);
    roundtrip(a, s, size);

    char *qs = arena_strndup(a, s, size);
    query_params q;
    if (query_parse(a, qs, 1 << 16, &q) == QUERY_OK) {
        for (size_t i = 0; i < q.count; i++) {
            decoded_ok(q.items[i].key);
            decoded_ok(q.items[i].value);
        }
        /* the pairs encoded again parse back to the same pairs */
        char *again = "";
        for (size_t i = 0; i < q.count; i++)
            again = arena_printf(a, "%s%s%s=%s", again, i ? "&" : "",
                                 encode(a, q.items[i].key, strlen(q.items[i].key), false),
                                 encode(a, q.items[i].value, strlen(q.items[i].value), false));
        query_params q2;
        FZ_ASSERT(query_parse(a, again, 1 << 20, &q2) == QUERY_OK, "re-encoded query refused");
        FZ_ASSERT(q2.count == q.count, "%zu pairs, %zu after re-encoding: %s", q.count, q2.count,
                  again);
        for (size_t i = 0; i < q.count; i++)
            FZ_ASSERT(strcmp(q.items[i].key, q2.items[i].key) == 0 &&
                          strcmp(q.items[i].value, q2.items[i].value) == 0,
                      "pair %zu differs after re-encoding: %s", i, again);
    }
    return 0;
}
