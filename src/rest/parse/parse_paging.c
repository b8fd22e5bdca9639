/* limit= / offset= (also rel.limit=, rel.offset=) and the Range header.
 * Counts are decimal digits only; garbage is a 400, a negative limit is
 * PostgREST's 416. The Range header ("0-19", "10-", with Range-Unit items
 * or none) applies to GET and HEAD only and is intersected with the root
 * limit/offset, as PostgREST does; a malformed one is ignored as PostgREST
 * and RFC 9110 do, an inverted or empty one is a 416. */
#include "rest/parse/parse_internal.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#define RANGE_DETAILS_INVERTED                                                                     \
    "The lower boundary must be lower than or equal to the upper boundary in the Range header."

/* Decimal digits without sign into *out; false when empty, not digits or
 * larger than LLONG_MAX. */
static bool read_count(const char *s, size_t n, long long *out)
{
    if (n == 0)
        return false;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v > (LLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool is_negative_number(const char *s)
{
    long long ignored;
    return s[0] == '-' && read_count(s + 1, strlen(s + 1), &ignored);
}

bool rest_parse_page_number(parse_ctx *ctx, const char *key, const char *value, bool is_limit,
                            long long *out)
{
    arena *a = ctx->arena;
    const char *shown_key = rest_excerpt(a, key);
    const char *shown = rest_excerpt(a, value);
    if (read_count(value, strlen(value), out))
        return true;
    if (is_limit && is_negative_number(value))
        return rest_fail(ctx, 416, "PGRST103", "Limit should be greater than or equal to zero.",
                         NULL, "Requested range not satisfiable: %s=%s is negative", shown_key,
                         shown);
    size_t n = strlen(value);
    bool all_digits = n > 0 && strspn(value, "0123456789") == n;
    const char *problem = all_digits ? "is too large" : "must be a non-negative integer";
    return rest_fail(ctx, 400, "PGRST100", arena_printf(a, "%s=%s", shown_key, shown), NULL,
                     "%s %s but is '%s'", shown_key, problem, shown);
}

static const char *trim(arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* "first-last" or "first-" (last = -1); false when malformed. */
static bool read_range(const char *s, long long *first, long long *last)
{
    if (strncasecmp(s, "items=", 6) == 0)
        s += 6;
    const char *dash = strchr(s, '-');
    if (!dash || !read_count(s, (size_t)(dash - s), first))
        return false;
    *last = -1;
    return dash[1] == '\0' || read_count(dash + 1, strlen(dash + 1), last);
}

static bool range_applies(const rest_parse_input *in)
{
    if (!in->range || (in->method != REST_GET && in->method != REST_HEAD))
        return false;
    const char *unit = in->range_unit;
    if (!unit)
        return true;
    unit += strspn(unit, " \t");
    return strncasecmp(unit, "items", 5) == 0 && strspn(unit + 5, " \t") == strlen(unit + 5);
}

bool rest_apply_range_header(parse_ctx *ctx, const rest_parse_input *in, rest_paging *root,
                             bool *used)
{
    *used = false;
    long long first, last;
    if (!range_applies(in) || !read_range(trim(ctx->arena, in->range), &first, &last))
        return true;
    const char *details =
        arena_printf(ctx->arena, "Range: %s", rest_excerpt(ctx->arena, in->range));
    if (last >= 0 && first > last)
        return rest_fail(ctx, 416, "PGRST103", RANGE_DETAILS_INVERTED, NULL,
                         "Requested range not satisfiable: the Range header starts at %lld, "
                         "after its end %lld",
                         first, last);
    if (root->limit == 0)
        return true; /* limit=0 wins, as in PostgREST */
    long long query_last = LLONG_MAX;
    if (root->limit != REST_NO_LIMIT && root->limit - 1 <= LLONG_MAX - root->offset)
        query_last = root->offset + root->limit - 1;
    long long lo = first > root->offset ? first : root->offset;
    long long hi = last < 0 || query_last < last ? query_last : last;
    if (lo > hi)
        return rest_fail(ctx, 416, "PGRST103", details, NULL,
                         "Requested range not satisfiable: the Range header and limit/offset "
                         "select no rows together");
    root->offset = lo;
    root->limit = hi == LLONG_MAX ? REST_NO_LIMIT : hi - lo + 1;
    *used = true;
    return true;
}
