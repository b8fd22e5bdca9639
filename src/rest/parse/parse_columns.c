/* columns= and on_conflict=: comma-separated column names, bare or
 * "quoted", kept in the client's order (duplicates too; the planner
 * resolves them against the catalog). */
#include "rest/parse/parse_internal.h"

bool rest_parse_column_list(parse_ctx *ctx, const char *param, const char *value,
                            rest_name_list *out)
{
    arena *a = ctx->arena;
    scan s;
    rest_scan_init(&s, ctx, value, param, arena_printf(a, "%s=", param));
    vec names = {0};
    size_t comma = 0;
    for (;;) {
        rest_scan_skip_ws(&s);
        if (rest_scan_eof(&s) && names.count > 0)
            return rest_scan_fail_at(&s, comma, "trailing comma");
        if (rest_scan_eof(&s))
            return rest_scan_fail_here(&s, "empty list of columns");
        if (rest_scan_peek(&s) == ',')
            return rest_scan_fail(&s, "empty item");
        const char **name = vec_push(a, &names, sizeof(char *));
        if (!rest_scan_name(&s, "a column name", name))
            return false;
        comma = s.pos;
        if (rest_scan_accept(&s, ","))
            continue;
        if (!rest_scan_eof(&s))
            return rest_scan_fail(&s, "unexpected %s after column '%s'", rest_scan_describe(&s),
                                  *name);
        break;
    }
    out->names = names.items;
    out->count = names.count;
    return true;
}
