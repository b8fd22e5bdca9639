/* Fuzzes the image transform parameters of /render/image
 * (storage_image_params_parse, _text, storage_image_raw_from_text,
 * storage_image_format_for). The input is six NUL-separated fields: width,
 * height, resize, quality, format as a query string gives them, and an
 * Accept header. Invariants: accepted values are in range; the canonical
 * text parses back to the same text (it keys the render cache and travels
 * in signed tokens); a refusal names a parameter; the format written for
 * any Accept header is a concrete one (never "auto"). */
#include "harness.h"

#include "storage/image_params.h"

#define MAX_DIMENSION 2500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *f[6];
    fz_fields(data, size, f, 6);
    storage_image_raw raw = {f[0], f[1], f[2], f[3], f[4]};
    storage_image_params p;
    const char *why = NULL;
    if (!storage_image_params_parse(a, &raw, MAX_DIMENSION, &p, &why)) {
        FZ_ASSERT(why && (strstr(why, "width") || strstr(why, "height") || strstr(why, "resize") ||
                          strstr(why, "quality") || strstr(why, "format")),
                  "a refusal naming no parameter: %s", why ? why : "(none)");
        return 0;
    }
    FZ_ASSERT(p.width >= 0 && p.width <= MAX_DIMENSION, "width %ld", p.width);
    FZ_ASSERT(p.height >= 0 && p.height <= MAX_DIMENSION, "height %ld", p.height);
    FZ_ASSERT(p.quality >= 20 && p.quality <= 100, "quality %ld", p.quality);
    const char *text = storage_image_params_text(a, &p);
    storage_image_raw back;
    storage_image_raw_from_text(a, text, &back);
    storage_image_params q;
    FZ_ASSERT(storage_image_params_parse(a, &back, MAX_DIMENSION, &q, &why),
              "the canonical text '%s' is refused: %s", text, why);
    FZ_ASSERT(strcmp(storage_image_params_text(a, &q), text) == 0, "'%s' does not round-trip",
              text);
    storage_image_format chosen = storage_image_format_for(p.format, f[5]);
    FZ_ASSERT(chosen != IMAGE_AUTO, "auto chosen for Accept '%s'", f[5]);
    FZ_ASSERT(p.format == IMAGE_AUTO || chosen == p.format, "a given format was changed");
    return 0;
}
