/* The storage area's settings (/storage/v1), registered with core's
 * configuration loader: STORAGE_WORKERS, STORAGE_MAX_BODY and the STORAGE_*
 * keys of the area. The struct also carries a few values derived at first
 * use from the core configuration (the JWT secret that signed URL keys
 * derive from, transaction waits), so handlers read one struct. */
#ifndef PGSTACK_STORAGE_SETTINGS_H
#define PGSTACK_STORAGE_SETTINGS_H

#include "core/config.h"
#include "storage/backend_s3_settings.h"
#include "worker/app.h"

#include <stdbool.h>

typedef struct storage_settings {
    area_limits limits;          /* STORAGE_WORKERS, STORAGE_MAX_BODY */
    char *backend;               /* STORAGE_BACKEND: disk, database or s3 */
    char *root;                  /* STORAGE_ROOT */
    char *sendfile_header;       /* STORAGE_SENDFILE_HEADER; NULL or "": stream */
    bool strict_mime;            /* STORAGE_STRICT_MIME */
    long signed_upload_expiry_s; /* STORAGE_SIGNED_UPLOAD_EXPIRY */
    long tus_expiry_s;           /* STORAGE_TUS_EXPIRY */
    bool image_transforms;       /* STORAGE_IMAGE_TRANSFORMS */
    long image_max_input;        /* STORAGE_IMAGE_MAX_INPUT (bytes) */
    long image_max_pixels;       /* STORAGE_IMAGE_MAX_PIXELS (input width x height) */
    long image_max_dimension;    /* STORAGE_IMAGE_MAX_DIMENSION (output side) */
    storage_s3_settings s3;      /* STORAGE_S3_* (backend_s3_settings.h) */
    /* derived at first use (not configuration keys) */
    bool derived;
    const char *jwt_secret;
    long txn_wait_ms;
    long statement_timeout_ms;
} storage_settings;

extern const config_section storage_config_section;

/* The settings of the worker serving the request. */
const storage_settings *storage_settings_get(const app_ctx *app);

#endif
