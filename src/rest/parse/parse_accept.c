/* The Accept header: which representation of the rows the client takes.
 * Media ranges are weighed by q (q=0 refuses one); the best-weighted one
 * the REST engine produces wins, the earlier one on ties:
 *   application/json, application/vnd.pgrst.array[+json], * / *,
 *   application/ *                          -> REST_MEDIA_JSON
 *   application/vnd.pgrst.object[+json]     -> REST_MEDIA_OBJECT
 *   text/csv                                -> REST_MEDIA_CSV
 * ";nulls=stripped" on the vnd.pgrst types asks for nulls to be left out.
 * Nothing producible is a 406 (PGRST107). */
#include "rest/parse/parse_internal.h"

#include "core/sbuf.h"

#include <string.h>
#include <strings.h>

typedef struct media_spec {
    const char *name;
    rest_media media;
    bool strips_nulls; /* honours ;nulls=stripped */
} media_spec;

static const media_spec media_types[] = {
    {"application/json", REST_MEDIA_JSON, false},
    {"application/vnd.pgrst.array+json", REST_MEDIA_JSON, true},
    {"application/vnd.pgrst.array", REST_MEDIA_JSON, true},
    {"application/vnd.pgrst.object+json", REST_MEDIA_OBJECT, true},
    {"application/vnd.pgrst.object", REST_MEDIA_OBJECT, true},
    {"text/csv", REST_MEDIA_CSV, false},
    {"*/*", REST_MEDIA_JSON, false},
    {"application/*", REST_MEDIA_JSON, false},
};

/* One media range: "type/subtype" with its q (in thousandths) and nulls. */
typedef struct media_range {
    const char *name;
    int q;
    bool nulls_stripped;
} media_range;

static const char *trimmed(arena *a, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* "0.5" -> 500, "1" -> 1000; anything unparsable counts as 1. */
static int parse_q(const char *v)
{
    if (v[0] == '0' || v[0] == '1') {
        int q = (v[0] - '0') * 1000;
        if (v[1] == '\0')
            return q;
        if (v[1] == '.') {
            int scale = 100;
            for (const char *p = v + 2; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
                q += (*p - '0') * scale;
            return q > 1000 ? 1000 : q;
        }
    }
    return 1000;
}

static void apply_parameter(arena *a, const char *param, media_range *range)
{
    const char *eq = strchr(param, '=');
    if (!eq)
        return;
    const char *key = trimmed(a, param, (size_t)(eq - param));
    const char *value = trimmed(a, eq + 1, strlen(eq + 1));
    if (strcasecmp(key, "q") == 0)
        range->q = parse_q(value);
    else if (strcasecmp(key, "nulls") == 0 && strcasecmp(value, "stripped") == 0)
        range->nulls_stripped = true;
}

static media_range parse_range(arena *a, const char *text)
{
    media_range range = {.q = 1000};
    size_t n = strcspn(text, ";");
    range.name = trimmed(a, text, n);
    for (const char *p = text + n; *p == ';';) {
        p++;
        size_t m = strcspn(p, ";");
        apply_parameter(a, arena_strndup(a, p, m), &range);
        p += m;
    }
    return range;
}

static const media_spec *find_media(const char *name)
{
    for (size_t i = 0; i < sizeof media_types / sizeof *media_types; i++)
        if (strcasecmp(media_types[i].name, name) == 0)
            return &media_types[i];
    return NULL;
}

bool rest_parse_accept_header(parse_ctx *ctx, const char *header, rest_media *media,
                              bool *strip_nulls)
{
    arena *a = ctx->arena;
    *media = REST_MEDIA_JSON;
    *strip_nulls = false;
    if (!header || !*trimmed(a, header, strlen(header)))
        return true;
    int best_q = 0;
    sbuf asked;
    sbuf_init(&asked, a, 64);
    for (const char *p = header; *p;) {
        size_t n = strcspn(p, ",");
        media_range range = parse_range(a, arena_strndup(a, p, n));
        p += n + (p[n] == ',');
        if (!*range.name)
            continue;
        sbuf_printf(&asked, "%s%s", asked.len ? ", " : "", range.name);
        const media_spec *spec = find_media(range.name);
        if (!spec || range.q <= best_q)
            continue;
        best_q = range.q;
        *media = spec->media;
        *strip_nulls = spec->strips_nulls && range.nulls_stripped;
    }
    if (best_q > 0 || asked.len == 0)
        return true; /* a header of only commas counts as none */
    return rest_fail(ctx, 406, "PGRST107", arena_printf(a, "Accept: %s", rest_excerpt(a, header)),
                     NULL, "None of these media types are available: %s",
                     rest_excerpt(a, asked.data));
}
