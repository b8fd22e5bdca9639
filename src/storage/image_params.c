/* Image transform parameters; see image_params.h. */
#include "storage/image_params.h"

#include <stdlib.h>
#include <string.h>

static const char *const RESIZE_NAMES[] = {"cover", "contain", "fill"};
static const char *const FORMAT_NAMES[] = {"origin", "webp", "avif", "auto"};

const char *storage_image_resize_name(storage_image_resize r)
{
    return RESIZE_NAMES[r];
}

const char *storage_image_format_name(storage_image_format f)
{
    return FORMAT_NAMES[f];
}

static bool given(const char *v)
{
    return v && *v;
}

/* A decimal integer in [lo, hi]; absent → *out unchanged. */
static bool parse_range(arena *a, const char *name, const char *v, long lo, long hi, long *out,
                        const char **why)
{
    if (!given(v))
        return true;
    if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 9 || atol(v) < lo || atol(v) > hi) {
        *why = arena_printf(a, "%s must be an integer from %ld to %ld", name, lo, hi);
        return false;
    }
    *out = atol(v);
    return true;
}

/* v among names (absent → *out unchanged). */
static bool parse_word(arena *a, const char *name, const char *v, const char *const *names,
                       int count, int *out, const char **why)
{
    if (!given(v))
        return true;
    for (int i = 0; i < count; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    const char *list = names[0];
    for (int i = 1; i < count; i++)
        list = arena_printf(a, "%s, %s", list, names[i]);
    *why = arena_printf(a, "%s must be one of %s", name, list);
    return false;
}

bool storage_image_params_parse(arena *a, const storage_image_raw *raw, long max_dimension,
                                storage_image_params *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->quality = STORAGE_IMAGE_DEFAULT_QUALITY;
    int resize = IMAGE_COVER, format = IMAGE_AUTO;
    bool ok = parse_range(a, "width", raw->width, 1, max_dimension, &out->width, why) &&
              parse_range(a, "height", raw->height, 1, max_dimension, &out->height, why) &&
              parse_range(a, "quality", raw->quality, 20, 100, &out->quality, why) &&
              parse_word(a, "resize", raw->resize, RESIZE_NAMES, 3, &resize, why) &&
              parse_word(a, "format", raw->format, FORMAT_NAMES, 4, &format, why);
    out->resize = (storage_image_resize)resize;
    out->format = (storage_image_format)format;
    return ok;
}

const char *storage_image_params_text(arena *a, const storage_image_params *p)
{
    return arena_printf(a, "width=%ld&height=%ld&resize=%s&quality=%ld&format=%s", p->width,
                        p->height, RESIZE_NAMES[p->resize], p->quality, FORMAT_NAMES[p->format]);
}

void storage_image_raw_from_text(arena *a, const char *text, storage_image_raw *out)
{
    memset(out, 0, sizeof *out);
    const char *names[] = {"width", "height", "resize", "quality", "format"};
    const char **slots[] = {&out->width, &out->height, &out->resize, &out->quality, &out->format};
    char *copy = arena_strdup(a, text ? text : "");
    for (char *save = NULL, *pair = strtok_r(copy, "&", &save); pair;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq)
            continue;
        *eq = '\0';
        for (int i = 0; i < 5; i++)
            if (strcmp(pair, names[i]) == 0)
                *slots[i] = strcmp(eq + 1, "0") == 0 ? NULL : eq + 1;
    }
}

bool storage_image_raw_empty(const storage_image_raw *raw)
{
    return !given(raw->width) && !given(raw->height) && !given(raw->resize) &&
           !given(raw->quality) && !given(raw->format);
}

/* Does accept list image/webp with a quality above 0? */
static bool accepts_webp(const char *accept)
{
    for (const char *p = accept; p && (p = strcasestr(p, "image/webp")) != NULL; p += 10) {
        const char *end = p + 10 + strcspn(p + 10, ",");
        const char *q = strstr(p + 10, "q=");
        if (!q || q > end || strtod(q + 2, NULL) > 0)
            return true;
    }
    return false;
}

storage_image_format storage_image_format_for(storage_image_format f, const char *accept)
{
    if (f != IMAGE_AUTO)
        return f;
    return accepts_webp(accept) ? IMAGE_WEBP : IMAGE_ORIGIN;
}
