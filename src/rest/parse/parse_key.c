/* Query parameter keys: "rel.sub.col->a->>b" is the embed path {rel, sub}
 * and the field col->a->>b; "rel.order", "rel.not.or" end in a reserved
 * word. Names written in quotes ("order") never count as reserved words. */
#include "rest/parse/parse_internal.h"

#include <string.h>

bool rest_parse_param_key(parse_ctx *ctx, const char *key, param_key *out)
{
    arena *a = ctx->arena;
    scan s;
    const char *shown = rest_excerpt(a, key);
    rest_scan_init(&s, ctx, key, arena_printf(a, "parameter name '%s'", shown), NULL);
    vec names = {0}, quoted = {0};
    do {
        rest_scan_skip_ws(&s);
        bool *is_quoted = vec_push(a, &quoted, sizeof(bool));
        *is_quoted = rest_scan_peek(&s) == '"';
        const char **name = vec_push(a, &names, sizeof(char *));
        if (!rest_scan_name(&s, "a name", name))
            return false;
    } while (rest_scan_accept(&s, "."));
    out->names = names.items;
    out->quoted = quoted.items;
    out->count = names.count;
    out->last.column = out->names[out->count - 1];
    if (!rest_scan_json_path(&s, &out->last))
        return false;
    rest_scan_skip_ws(&s);
    if (!rest_scan_eof(&s))
        return rest_scan_fail(&s, "unexpected %s", rest_scan_describe(&s));
    return true;
}

rest_embed_path rest_param_key_path(const param_key *k, size_t n)
{
    rest_embed_path path = {.names = n ? k->names : NULL, .count = n};
    return path;
}

bool rest_param_key_ends_with(const param_key *k, size_t from_end, const char *word)
{
    if (from_end >= k->count)
        return false;
    size_t i = k->count - 1 - from_end;
    return !k->quoted[i] && strcmp(k->names[i], word) == 0;
}
