/* Errors of the REST request parser: filling rest_parse_error, excerpts of
 * hostile-sized input for details, and the max_filters budget. */
#include "rest/parse/parse_internal.h"

#include <stdarg.h>
#include <string.h>

#define EXCERPT_MAX 200

bool rest_fail(parse_ctx *ctx, int status, const char *code, const char *details, const char *hint,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx->err->message = arena_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
    ctx->err->status = status;
    ctx->err->code = code;
    ctx->err->details = details;
    ctx->err->hint = hint;
    return false;
}

const char *rest_excerpt(arena *a, const char *s)
{
    size_t n = strlen(s);
    if (n <= EXCERPT_MAX)
        return s;
    size_t cut = EXCERPT_MAX;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--; /* do not split a UTF-8 sequence */
    return arena_printf(a, "%.*s...", (int)cut, s);
}

bool rest_count_filter(parse_ctx *ctx)
{
    if (ctx->filters_seen >= ctx->limits.max_filters)
        return rest_fail(ctx, 400, "PGRST100", NULL,
                         "Filters, conditions in logic trees and the order, limit and offset "
                         "parameters of embedded resources count against this limit.",
                         "too many filters: more than %zu (max_filters)", ctx->limits.max_filters);
    ctx->filters_seen++;
    return true;
}
