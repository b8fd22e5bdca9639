/* Image transform parameters of /render/image (width, height, resize,
 * quality, format), as storage-js sends them in the query string or in the
 * `transform` object of a signed URL: parsed and range-checked here (no
 * libvips needed), turned into one canonical text that keys the render
 * cache and travels in signed render tokens. */
#ifndef PGSTACK_STORAGE_IMAGE_PARAMS_H
#define PGSTACK_STORAGE_IMAGE_PARAMS_H

#include "core/arena.h"

#include <stdbool.h>

typedef enum { IMAGE_COVER = 0, IMAGE_CONTAIN, IMAGE_FILL } storage_image_resize;
/* AUTO (format absent): WebP when the client accepts it, else the origin
 * format, as Supabase's automatic optimization; decided per request by
 * storage_image_format_for, so a signed transform keeps "auto". */
typedef enum { IMAGE_ORIGIN = 0, IMAGE_WEBP, IMAGE_AVIF, IMAGE_AUTO } storage_image_format;

#define STORAGE_IMAGE_DEFAULT_QUALITY 80

typedef struct storage_image_params {
    long width, height; /* 0: not given (keep the aspect ratio) */
    storage_image_resize resize;
    long quality; /* 20..100 */
    storage_image_format format;
} storage_image_params;

/* The raw values (NULL or "" when absent), in the order width, height,
 * resize, quality, format. */
typedef struct storage_image_raw {
    const char *width, *height, *resize, *quality, *format;
} storage_image_raw;

/* Checks raw against max_dimension; false with *why (a message for a 400
 * reply, in a, naming the parameter). */
bool storage_image_params_parse(arena *a, const storage_image_raw *raw, long max_dimension,
                                storage_image_params *out, const char **why);

/* "width=W&height=H&resize=R&quality=Q&format=F" (0 for absent sizes). */
const char *storage_image_params_text(arena *a, const storage_image_params *p);

/* Splits a canonical (or any "k=v&k=v") text into raw values. */
void storage_image_raw_from_text(arena *a, const char *text, storage_image_raw *out);

/* The format to write for f and the request's Accept header: AUTO becomes
 * WEBP when accept names image/webp, else ORIGIN; others are kept. */
storage_image_format storage_image_format_for(storage_image_format f, const char *accept);

/* True when raw names no parameter at all. */
bool storage_image_raw_empty(const storage_image_raw *raw);

const char *storage_image_resize_name(storage_image_resize r);
const char *storage_image_format_name(storage_image_format f);

#endif
