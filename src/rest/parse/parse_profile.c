/* Accept-Profile (GET, HEAD) / Content-Profile (other methods): the schema
 * a request addresses, one of the exposed schemas (DB_SCHEMAS, the first
 * being the default). An unexposed one is a 406 (PGRST106), as in
 * PostgREST. A blank header counts as none. */
#include "rest/parse/parse_internal.h"

#include "core/sbuf.h"

#include <string.h>

static const char *exposed_list(arena *a, const rest_parse_input *in)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    for (size_t i = 0; i < in->schema_count; i++)
        sbuf_printf(&b, "%s%s", i ? ", " : "", in->schemas[i]);
    return b.data;
}

bool rest_choose_schema(parse_ctx *ctx, const rest_parse_input *in, const char **schema)
{
    arena *a = ctx->arena;
    bool reading = in->method == REST_GET || in->method == REST_HEAD;
    const char *header = reading ? in->accept_profile : in->content_profile;
    const char *header_name = reading ? "Accept-Profile" : "Content-Profile";
    *schema = in->schema_count ? in->schemas[0] : NULL;
    if (!header)
        return true;
    header += strspn(header, " \t");
    size_t n = strlen(header);
    while (n > 0 && (header[n - 1] == ' ' || header[n - 1] == '\t'))
        n--;
    if (n == 0)
        return true;
    const char *name = arena_strndup(a, header, n);
    if (in->schema_count == 0) {
        *schema = name;
        return true;
    }
    for (size_t i = 0; i < in->schema_count; i++)
        if (strcmp(in->schemas[i], name) == 0) {
            *schema = in->schemas[i];
            return true;
        }
    return rest_fail(
        ctx, 406, "PGRST106", arena_printf(a, "%s: %s", header_name, rest_excerpt(a, name)),
        arena_printf(a, "Only the following schemas are exposed: %s", exposed_list(a, in)),
        "Invalid schema: %s", rest_excerpt(a, name));
}
