/* columns= and on_conflict=: comma-separated column names, bare or
 * "quoted", kept in the client's order (duplicates too; the planner
 * resolves them against the catalog). */
#include "rest/parse/parse_internal.h"

bool parse_column_list(parse_ctx *ctx, const char *param, const char *value, rest_name_list *out)
{
    arena *a = ctx->arena;
    scan s;
    scan_init(&s, ctx, value, param, arena_printf(a, "%s=", param));
    vec names = {0};
    size_t comma = 0;
    for (;;) {
        scan_skip_ws(&s);
        if (scan_eof(&s) && names.count > 0)
            return scan_fail_at(&s, comma, "trailing comma");
        if (scan_eof(&s))
            return scan_fail_here(&s, "empty list of columns");
        if (scan_peek(&s) == ',')
            return scan_fail(&s, "empty item");
        const char **name = vec_push(a, &names, sizeof(char *));
        if (!scan_name(&s, "a column name", name))
            return false;
        comma = s.pos;
        if (scan_accept(&s, ","))
            continue;
        if (!scan_eof(&s))
            return scan_fail(&s, "unexpected %s after column '%s'", scan_describe(&s), *name);
        break;
    }
    out->names = names.items;
    out->count = names.count;
    return true;
}
