/* Percent-decoding and query-string parsing; see query.h. */
#include "core/query.h"

#include "core/sbuf.h"
#include "core/utf8.h"

#include <ctype.h>
#include <string.h>

const char *query_status_message(query_status st)
{
    switch (st) {
    case QUERY_OK:
        return "ok";
    case QUERY_BAD_ESCAPE:
        return "malformed percent-encoding";
    case QUERY_BAD_UTF8:
        return "invalid UTF-8";
    case QUERY_NUL:
        return "NUL byte not allowed";
    case QUERY_TOO_LONG:
        return "query string too long";
    }
    return "invalid input";
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

query_status percent_decode(arena *a, const char *s, size_t n, bool plus_is_space, char **out)
{
    char *dst = arena_alloc(a, n + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return QUERY_BAD_ESCAPE;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0')
            return QUERY_NUL;
        dst[len++] = c;
    }
    dst[len] = '\0';
    if (!utf8_valid(dst, len))
        return QUERY_BAD_UTF8;
    *out = dst;
    return QUERY_OK;
}

static size_t count_pairs(const char *qs, size_t n)
{
    size_t pairs = 1;
    for (size_t i = 0; i < n; i++)
        if (qs[i] == '&')
            pairs++;
    return pairs;
}

query_status query_parse(arena *a, const char *qs, size_t max_len, query_params *out)
{
    out->items = NULL;
    out->count = 0;
    if (!qs)
        return QUERY_OK;
    size_t n = strlen(qs);
    if (n > max_len)
        return QUERY_TOO_LONG;
    out->items = arena_alloc(a, count_pairs(qs, n) * sizeof(query_param));
    const char *p = qs, *end = qs + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp ? amp : end;
        if (pair_end > p) {
            const char *eq = memchr(p, '=', (size_t)(pair_end - p));
            const char *key_end = eq ? eq : pair_end;
            char *key, *value = "";
            query_status st = percent_decode(a, p, (size_t)(key_end - p), true, &key);
            if (st == QUERY_OK && eq)
                st = percent_decode(a, eq + 1, (size_t)(pair_end - eq - 1), true, &value);
            if (st != QUERY_OK)
                return st;
            out->items[out->count].key = key;
            out->items[out->count].value = value;
            out->count++;
        }
        p = pair_end + 1;
    }
    return QUERY_OK;
}

const char *query_get(const query_params *q, const char *key)
{
    for (size_t i = 0; i < q->count; i++)
        if (strcmp(q->items[i].key, key) == 0)
            return q->items[i].value;
    return NULL;
}

char *query_encode(arena *a, const char *s)
{
    sbuf b;
    sbuf_init(&b, a, 3 * strlen(s) + 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p))
            sbuf_putc(&b, (char)*p);
        else
            sbuf_printf(&b, "%%%02X", *p);
    }
    return b.data;
}
