/* The Prefer header (RFC 7240, PostgREST's set): comma-separated tokens
 * matched exactly; the first token of each kind wins; unknown tokens are
 * ignored and listed, unless handling=strict makes them a 400 (PGRST122).
 * Also renders Preference-Applied. */
#include "rest/parse/parse_internal.h"

#include "core/sbuf.h"

#include <string.h>

typedef enum pref_kind {
    PREF_RESOLUTION,
    PREF_MISSING,
    PREF_RETURN,
    PREF_PARAMS,
    PREF_COUNT,
    PREF_TX,
    PREF_HANDLING,
} pref_kind;

typedef struct pref_spec {
    const char *token;
    pref_kind kind;
    int value;
} pref_spec;

/* In PostgREST's Preference-Applied order. */
static const pref_spec prefs[] = {
    {"resolution=merge-duplicates", PREF_RESOLUTION, REST_RESOLUTION_MERGE_DUPLICATES},
    {"resolution=ignore-duplicates", PREF_RESOLUTION, REST_RESOLUTION_IGNORE_DUPLICATES},
    {"missing=default", PREF_MISSING, REST_MISSING_DEFAULT},
    {"missing=null", PREF_MISSING, REST_MISSING_NULL},
    {"return=minimal", PREF_RETURN, REST_RETURN_MINIMAL},
    {"return=representation", PREF_RETURN, REST_RETURN_REPRESENTATION},
    {"return=headers-only", PREF_RETURN, REST_RETURN_HEADERS_ONLY},
    {"params=single-object", PREF_PARAMS, 1},
    {"count=exact", PREF_COUNT, REST_COUNT_EXACT},
    {"count=planned", PREF_COUNT, REST_COUNT_PLANNED},
    {"count=estimated", PREF_COUNT, REST_COUNT_ESTIMATED},
    {"tx=commit", PREF_TX, REST_TX_COMMIT},
    {"tx=rollback", PREF_TX, REST_TX_ROLLBACK},
    {"handling=strict", PREF_HANDLING, REST_HANDLING_STRICT},
    {"handling=lenient", PREF_HANDLING, REST_HANDLING_LENIENT},
};

#define PREF_COUNT_ALL (sizeof prefs / sizeof *prefs)

/* The current value of kind in p (0 = unset). */
static int pref_get(const rest_preferences *p, pref_kind kind)
{
    switch (kind) {
    case PREF_RESOLUTION:
        return (int)p->resolution;
    case PREF_MISSING:
        return (int)p->missing;
    case PREF_RETURN:
        return (int)p->return_;
    case PREF_PARAMS:
        return p->params_single_object ? 1 : 0;
    case PREF_COUNT:
        return (int)p->count;
    case PREF_TX:
        return (int)p->tx;
    case PREF_HANDLING:
        return (int)p->handling;
    }
    return 0;
}

static void pref_set(rest_preferences *p, pref_kind kind, int value)
{
    switch (kind) {
    case PREF_RESOLUTION:
        p->resolution = (rest_prefer_resolution)value;
        break;
    case PREF_MISSING:
        p->missing = (rest_prefer_missing)value;
        break;
    case PREF_RETURN:
        p->return_ = (rest_prefer_return)value;
        break;
    case PREF_PARAMS:
        p->params_single_object = value != 0;
        break;
    case PREF_COUNT:
        p->count = (rest_prefer_count)value;
        break;
    case PREF_TX:
        p->tx = (rest_prefer_tx)value;
        break;
    case PREF_HANDLING:
        p->handling = (rest_prefer_handling)value;
        break;
    }
}

static const pref_spec *find_pref(const char *token, size_t n)
{
    for (size_t i = 0; i < PREF_COUNT_ALL; i++)
        if (strlen(prefs[i].token) == n && memcmp(prefs[i].token, token, n) == 0)
            return &prefs[i];
    return NULL;
}

static void apply_token(arena *a, const char *token, size_t n, rest_preferences *out,
                        vec *unrecognised)
{
    const pref_spec *spec = find_pref(token, n);
    if (!spec) {
        const char **slot = vec_push(a, unrecognised, sizeof(char *));
        *slot = arena_strndup(a, token, n);
    } else if (pref_get(out, spec->kind) == 0) {
        pref_set(out, spec->kind, spec->value);
    }
}

static const char *join_names(arena *a, const char **names, size_t count)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    for (size_t i = 0; i < count; i++) {
        if (i)
            sbuf_puts(&b, ", ");
        sbuf_puts(&b, rest_excerpt(a, names[i]));
    }
    return b.data;
}

bool rest_parse_prefer_header(parse_ctx *ctx, const char *header, rest_preferences *out)
{
    memset(out, 0, sizeof(*out));
    if (!header)
        return true;
    vec unrecognised = {0};
    const char *p = header;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *start = p, *end = p + n;
        while (start < end && (*start == ' ' || *start == '\t'))
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > start)
            apply_token(ctx->arena, start, (size_t)(end - start), out, &unrecognised);
        p += n;
        if (*p == ',')
            p++;
    }
    out->unrecognised = unrecognised.items;
    out->unrecognised_count = unrecognised.count;
    if (out->handling == REST_HANDLING_STRICT && out->unrecognised_count > 0)
        return rest_fail(
            ctx, 400, "PGRST122",
            arena_printf(ctx->arena, "Invalid preferences: %s",
                         join_names(ctx->arena, out->unrecognised, out->unrecognised_count)),
            NULL, "Invalid preferences given with handling=strict");
    return true;
}

const char *rest_preferences_applied(arena *a, const rest_preferences *p)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    for (size_t i = 0; i < PREF_COUNT_ALL; i++) {
        if (pref_get(p, prefs[i].kind) != prefs[i].value)
            continue;
        if (b.len)
            sbuf_puts(&b, ", ");
        sbuf_puts(&b, prefs[i].token);
    }
    return b.len ? b.data : NULL;
}
