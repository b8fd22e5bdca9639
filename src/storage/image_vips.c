/* Image transforms with libvips; see image_vips.h. */
#include "storage/image_vips.h"

#include "core/log.h"

#include <string.h>
#include <vips/vips.h>

#define HUGE_SIDE 10000000 /* "any": the other side decides the scale */

/* libvips is started once per worker, single-threaded, without its
 * operation cache (each request is a different image). */
static bool vips_ready(void)
{
    static int state; /* 0 not tried, 1 ready, -1 failed */
    if (state == 0) {
        state = VIPS_INIT("pgstack-storage") == 0 ? 1 : -1;
        if (state > 0) {
            vips_concurrency_set(1);
            vips_cache_set_max(0);
            vips_block_untrusted_set(TRUE);
        } else {
            log_event("storage: libvips did not start: %s", vips_error_buffer());
        }
    }
    return state > 0;
}

typedef struct format_info {
    const char *loader; /* substring of the loader's nickname */
    const char *suffix; /* saver */
    const char *type;
    bool quality;
} format_info;

static const format_info FORMATS[] = {
    {"jpeg", ".jpg", "image/jpeg", true},  {"png", ".png", "image/png", false},
    {"webp", ".webp", "image/webp", true}, {"gif", ".gif", "image/gif", false},
    {"heif", ".avif", "image/avif", true}, {"tiff", ".tif", "image/tiff", false},
};

static const format_info *format_of_loader(const char *loader)
{
    for (size_t i = 0; i < sizeof FORMATS / sizeof FORMATS[0]; i++)
        if (strcasestr(loader, FORMATS[i].loader))
            return &FORMATS[i];
    return &FORMATS[1]; /* anything else libvips reads comes out as PNG */
}

static const format_info *format_wanted(const char *loader, storage_image_format f)
{
    if (f == IMAGE_WEBP)
        return &FORMATS[2];
    if (f == IMAGE_AVIF)
        return &FORMATS[4];
    return format_of_loader(loader);
}

static int fail(int status, const char **why, const char *message)
{
    *why = message;
    if (status >= 500)
        log_event("storage: image transform failed: %s", vips_error_buffer());
    vips_error_clear();
    return status;
}

/* Width x height over the limit → refused before decoding. */
static int check_header(arena *a, const storage_settings *s, const void *in, size_t len,
                        const char **why)
{
    VipsImage *head = vips_image_new_from_buffer(in, len, "", NULL);
    if (!head)
        return fail(415, why, "the object is not an image that can be transformed");
    double pixels = (double)vips_image_get_width(head) * vips_image_get_height(head);
    g_object_unref(head);
    if (pixels > (double)s->image_max_pixels) {
        *why = arena_printf(a, "the image has more than %ld pixels (STORAGE_IMAGE_MAX_PIXELS)",
                            s->image_max_pixels);
        return 413;
    }
    return 0;
}

/* The resized image: thumbnail does shrink-on-load and autorotation. */
static VipsImage *resized(const void *in, size_t len, const storage_image_params *p, int src_w,
                          int src_h, int max_side)
{
    int w = (int)p->width, h = (int)p->height;
    if (!w && !h) { /* a format change: the size kept, within the limit */
        w = src_w < max_side ? src_w : max_side;
        h = src_h < max_side ? src_h : max_side;
    } else if (!w) {
        w = HUGE_SIDE;
    } else if (!h) {
        h = HUGE_SIDE;
    }
    bool both = p->width && p->height;
    VipsImage *out = NULL;
    int rc;
    if (both && p->resize == IMAGE_COVER)
        rc = vips_thumbnail_buffer((void *)in, len, &out, w, "height", h, "crop",
                                   VIPS_INTERESTING_CENTRE, NULL);
    else if (both && p->resize == IMAGE_FILL)
        rc = vips_thumbnail_buffer((void *)in, len, &out, w, "height", h, "size", VIPS_SIZE_FORCE,
                                   NULL);
    else
        rc = vips_thumbnail_buffer((void *)in, len, &out, w, "height", h, NULL);
    return rc == 0 ? out : NULL;
}

static int source_size(const void *in, size_t len, int *w, int *h)
{
    VipsImage *head = vips_image_new_from_buffer(in, len, "", NULL);
    if (!head)
        return -1;
    *w = vips_image_get_width(head);
    *h = vips_image_get_height(head);
    g_object_unref(head);
    return 0;
}

static int encode(arena *a, VipsImage *img, const format_info *f, const storage_image_params *p,
                  storage_image_out *out, const char **why)
{
    const char *suffix = f->quality ? arena_printf(a, "%s[Q=%ld,strip]", f->suffix, p->quality)
                                    : arena_printf(a, "%s[strip]", f->suffix);
    if (vips_image_write_to_buffer(img, suffix, &out->data, &out->len, NULL) != 0) {
        if (f == &FORMATS[4])
            return fail(415, why, "AVIF output is not available on this server");
        if (f != &FORMATS[1]) /* e.g. no GIF writer: PNG keeps every pixel */
            return encode(a, img, &FORMATS[1], p, out, why);
        return fail(500, why, "the image could not be encoded");
    }
    out->type = f->type;
    out->width = vips_image_get_width(img);
    out->height = vips_image_get_height(img);
    return 0;
}

int storage_image_transform(arena *a, const storage_settings *s, const void *in, size_t len,
                            const storage_image_params *p, storage_image_out *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (!vips_ready())
        return fail(500, why, "image transformation is not available");
    const char *loader = vips_foreign_find_load_buffer(in, len);
    if (!loader)
        return fail(415, why, "the object is not an image that can be transformed");
    int st = check_header(a, s, in, len, why), src_w = 0, src_h = 0;
    if (st)
        return st;
    if (source_size(in, len, &src_w, &src_h) != 0)
        return fail(415, why, "the object is not an image that can be transformed");
    VipsImage *img = resized(in, len, p, src_w, src_h, (int)s->image_max_dimension);
    if (!img)
        return fail(415, why, "the image could not be decoded");
    if (vips_image_get_width(img) > s->image_max_dimension ||
        vips_image_get_height(img) > s->image_max_dimension) {
        g_object_unref(img);
        *why = arena_printf(a, "the result would be larger than %ld pixels on a side",
                            s->image_max_dimension);
        return 400;
    }
    st = encode(a, img, format_wanted(loader, p->format), p, out, why);
    g_object_unref(img);
    return st;
}

void storage_image_out_free(storage_image_out *out)
{
    g_free(out->data);
    out->data = NULL;
}
