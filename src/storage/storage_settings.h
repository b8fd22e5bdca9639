/* The storage area's settings, in the shape of the area-owned settings
 * (src/<area>/<area>_settings.h): until core's per-area loader exists the
 * values come from the shared configuration (STORAGE_* keys in config.c). */
#ifndef PGSTACK_STORAGE_SETTINGS_H
#define PGSTACK_STORAGE_SETTINGS_H

#include "core/app.h"

#include <stdbool.h>

typedef struct storage_settings {
    long workers;
    long max_body;               /* STORAGE_MAX_BODY: largest request body */
    const char *backend;         /* STORAGE_BACKEND: "disk" */
    const char *root;            /* STORAGE_ROOT */
    const char *sendfile_header; /* STORAGE_SENDFILE_HEADER; NULL: stream */
    bool strict_mime;            /* STORAGE_STRICT_MIME */
    long signed_upload_expiry_s; /* STORAGE_SIGNED_UPLOAD_EXPIRY */
    const char *jwt_secret;      /* signs URL tokens (through a derived key) */
    const char *jwt_algorithm;
    long txn_wait_ms;
    long statement_timeout_ms;
} storage_settings;

/* The settings of the worker serving the request. */
const storage_settings *storage_settings_get(const app_ctx *app);

#endif
