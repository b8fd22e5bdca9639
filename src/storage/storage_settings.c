/* The storage area's configuration keys; see storage_settings.h. */
#include "storage/storage_settings.h"

#include <stdio.h>
#include <string.h>

#define OFF(field) offsetof(storage_settings, field)

static bool check_backend(const char *value, char *why, size_t whylen)
{
    if (strcmp(value, "disk") == 0 || strcmp(value, "database") == 0 || strcmp(value, "s3") == 0)
        return true;
    snprintf(why, whylen, "must be disk, database or s3");
    return false;
}

static bool check_absolute_path(const char *value, char *why, size_t whylen)
{
    if (value[0] == '/' && value[1] != '\0')
        return true;
    snprintf(why, whylen, "must be an absolute directory path");
    return false;
}

static const config_key STORAGE_KEYS[] = {
    CONFIG_AREA_LIMIT_KEYS("STORAGE", "pgstack-storage", "/storage/v1", "2", "52428800"),
    {.name = "STORAGE_BACKEND",
     .type = CONFIG_STRING,
     .default_value = "disk",
     .offset = OFF(backend),
     .check = check_backend,
     .description = "where object bytes live: disk (files under STORAGE_ROOT), database "
                    "(chunks in storage.object_chunks) or s3 (an S3-compatible store, "
                    "STORAGE_S3_*)"},
    {.name = "STORAGE_ROOT",
     .type = CONFIG_STRING,
     .default_value = "/var/lib/pgstack/storage",
     .offset = OFF(root),
     .check = check_absolute_path,
     .description = "directory of the disk backend; the web server's X-Sendfile root must be "
                    "this directory"},
    {.name = "STORAGE_SENDFILE_HEADER",
     .type = CONFIG_STRING,
     .default_value = "X-Sendfile",
     .offset = OFF(sendfile_header),
     .description = "header handing downloads to the web server (X-Sendfile for lighttpd and "
                    "mod_xsendfile); empty: the worker sends the bytes itself"},
    {.name = "STORAGE_STRICT_MIME",
     .type = CONFIG_BOOL,
     .default_value = "true",
     .offset = OFF(strict_mime),
     .description = "refuse uploads whose declared type contradicts the sniffed content "
                    "(executables, scripts, markup declared as images...)"},
    {.name = "STORAGE_SIGNED_UPLOAD_EXPIRY",
     .type = CONFIG_INT,
     .default_value = "7200",
     .offset = OFF(signed_upload_expiry_s),
     .min = 60,
     .max = 604800,
     .description = "lifetime of a signed upload URL in seconds"},
    {.name = "STORAGE_TUS_EXPIRY",
     .type = CONFIG_INT,
     .default_value = "86400",
     .offset = OFF(tus_expiry_s),
     .min = 60,
     .max = 2592000,
     .description = "seconds an unfinished resumable (TUS) upload is kept"},
    {.name = "STORAGE_IMAGE_TRANSFORMS",
     .type = CONFIG_BOOL,
     .default_value = "true",
     .offset = OFF(image_transforms),
     .description = "serve /render/image (resized and converted images, libvips); false: "
                    "400 \"image transformation is not enabled\""},
    {.name = "STORAGE_IMAGE_MAX_INPUT",
     .type = CONFIG_INT,
     .default_value = "26214400",
     .offset = OFF(image_max_input),
     .min = 1024,
     .max = 1073741824,
     .description = "largest object (bytes) /render/image transforms; larger → 413"},
    {.name = "STORAGE_IMAGE_MAX_PIXELS",
     .type = CONFIG_INT,
     .default_value = "50000000",
     .offset = OFF(image_max_pixels),
     .min = 1,
     .max = 1000000000,
     .description = "largest input image (width x height) /render/image decodes; larger → 413"},
    {.name = "STORAGE_IMAGE_MAX_DIMENSION",
     .type = CONFIG_INT,
     .default_value = "2500",
     .offset = OFF(image_max_dimension),
     .min = 16,
     .max = 16384,
     .description = "largest width or height /render/image accepts and produces"},
    STORAGE_S3_KEYS,
};

/* Keys that depend on each other: STORAGE_BACKEND=s3 needs the S3 keys. */
static bool storage_settings_validate(const void *settings, char *err, size_t errlen)
{
    const storage_settings *s = settings;
    if (!s->backend || strcmp(s->backend, "s3") != 0)
        return true;
    return storage_s3_settings_complete(&s->s3, err, errlen);
}

const config_section storage_config_section = {
    .name = "storage",
    .keys = STORAGE_KEYS,
    .key_count = sizeof STORAGE_KEYS / sizeof STORAGE_KEYS[0],
    .size = sizeof(storage_settings),
    .validate = storage_settings_validate,
};

const storage_settings *storage_settings_get(const app_ctx *app)
{
    storage_settings *s = app->settings;
    if (!s->derived) {
        s->jwt_secret = app->cfg.jwt_secret;
        s->txn_wait_ms = app_txn_wait_ms(app);
        s->statement_timeout_ms = app->cfg.db_statement_timeout_ms;
        s->derived = true;
    }
    return s;
}
