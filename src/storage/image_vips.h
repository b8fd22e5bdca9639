/* The libvips side of /render/image: one encoded image in memory in, one
 * encoded image out (resized by cover, contain or fill, re-encoded as the
 * original format, WebP or AVIF). Untrusted loaders (ImageMagick, PDF...)
 * are blocked; inputs over STORAGE_IMAGE_MAX_PIXELS are refused from their
 * header before any pixel is decoded; EXIF and other metadata are dropped. */
#ifndef PGSTACK_STORAGE_IMAGE_VIPS_H
#define PGSTACK_STORAGE_IMAGE_VIPS_H

#include "core/arena.h"
#include "storage/image_params.h"
#include "storage/storage_settings.h"

#include <stddef.h>

typedef struct storage_image_out {
    void *data; /* g_malloc'd by libvips: storage_image_out_free */
    size_t len;
    const char *type; /* Content-Type */
    int width, height;
} storage_image_out;

/* 0 on success, else the HTTP status to answer (400, 413, 415, 500) with
 * *why. */
int storage_image_transform(arena *a, const storage_settings *s, const void *in, size_t len,
                            const storage_image_params *p, storage_image_out *out,
                            const char **why);

void storage_image_out_free(storage_image_out *out);

#endif
