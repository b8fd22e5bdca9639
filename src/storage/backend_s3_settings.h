/* The S3 backend's configuration keys (STORAGE_S3_*), kept apart from the
 * rest of the storage settings: storage_settings embeds one
 * storage_s3_settings (field s3) and its key table lists STORAGE_S3_KEYS.
 * The secret key is never logged; `pgstack config list` shows it as
 * "(set)". */
#ifndef PGSTACK_STORAGE_BACKEND_S3_SETTINGS_H
#define PGSTACK_STORAGE_BACKEND_S3_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct storage_s3_settings {
    char *endpoint;         /* STORAGE_S3_ENDPOINT: http(s)://host[:port] */
    char *bucket;           /* STORAGE_S3_BUCKET */
    char *region;           /* STORAGE_S3_REGION */
    char *access_key;       /* STORAGE_S3_ACCESS_KEY */
    char *secret_key;       /* STORAGE_S3_SECRET_KEY */
    bool path_style;        /* STORAGE_S3_PATH_STYLE: endpoint/bucket/key */
    bool redirect;          /* STORAGE_S3_REDIRECT: 302 to a presigned URL */
    long redirect_expiry_s; /* STORAGE_S3_REDIRECT_EXPIRY */
    long timeout_s;         /* STORAGE_S3_TIMEOUT: connect and stall timeout */
} storage_s3_settings;

#define STORAGE_S3_OFF(field)                                                                      \
    (offsetof(storage_settings, s3) + offsetof(storage_s3_settings, field))

/* The STORAGE_S3_* entries of the storage area's key table. */
#define STORAGE_S3_KEYS                                                                            \
    {.name = "STORAGE_S3_ENDPOINT",                                                                \
     .type = CONFIG_STRING,                                                                        \
     .default_value = NULL,                                                                        \
     .offset = STORAGE_S3_OFF(endpoint),                                                           \
     .check = config_check_optional_http_url,                                                      \
     .description = "S3 backend: the store's URL, http(s)://host[:port] (AWS: "                    \
                    "https://s3.<region>.amazonaws.com; MinIO, Ceph RGW, Garage: their address)"}, \
        {.name = "STORAGE_S3_BUCKET",                                                              \
         .type = CONFIG_STRING,                                                                    \
         .default_value = NULL,                                                                    \
         .offset = STORAGE_S3_OFF(bucket),                                                         \
         .description = "S3 backend: the bucket every object of every pgstack bucket goes to"},    \
        {.name = "STORAGE_S3_REGION",                                                              \
         .type = CONFIG_STRING,                                                                    \
         .default_value = "us-east-1",                                                             \
         .offset = STORAGE_S3_OFF(region),                                                         \
         .description = "S3 backend: the region named in SigV4 signatures"},                       \
        {.name = "STORAGE_S3_ACCESS_KEY",                                                          \
         .type = CONFIG_STRING,                                                                    \
         .default_value = NULL,                                                                    \
         .offset = STORAGE_S3_OFF(access_key),                                                     \
         .description = "S3 backend: the access key id"},                                          \
        {.name = "STORAGE_S3_SECRET_KEY",                                                          \
         .type = CONFIG_STRING,                                                                    \
         .default_value = NULL,                                                                    \
         .offset = STORAGE_S3_OFF(secret_key),                                                     \
         .description = "S3 backend: the secret access key (never logged or shown)"},              \
        {.name = "STORAGE_S3_PATH_STYLE",                                                          \
         .type = CONFIG_BOOL,                                                                      \
         .default_value = "true",                                                                  \
         .offset = STORAGE_S3_OFF(path_style),                                                     \
         .description = "S3 backend: path-style URLs (endpoint/bucket/key: MinIO, Ceph, "          \
                        "Garage); false: virtual-hosted (bucket.host/key)"},                       \
        {.name = "STORAGE_S3_REDIRECT",                                                            \
         .type = CONFIG_BOOL,                                                                      \
         .default_value = "false",                                                                 \
         .offset = STORAGE_S3_OFF(redirect),                                                       \
         .description = "S3 backend: answer downloads with a 302 to a presigned URL of the "       \
                        "store instead of streaming them through the worker"},                     \
        {.name = "STORAGE_S3_REDIRECT_EXPIRY",                                                     \
         .type = CONFIG_INT,                                                                       \
         .default_value = "60",                                                                    \
         .offset = STORAGE_S3_OFF(redirect_expiry_s),                                              \
         .min = 1,                                                                                 \
         .max = 604800,                                                                            \
         .description = "S3 backend: lifetime in seconds of the presigned URL of a redirect"},     \
    {                                                                                              \
        .name = "STORAGE_S3_TIMEOUT", .type = CONFIG_INT, .default_value = "10",                   \
        .offset = STORAGE_S3_OFF(timeout_s), .min = 1, .max = 600,                                 \
        .description = "S3 backend: seconds to connect, and the longest stall of a transfer, "     \
                       "before the store counts as unavailable (503)"                              \
    }

/* Whether the S3 keys are complete when STORAGE_BACKEND=s3 (the section's
 * validate hook); err names the missing key. */
bool storage_s3_settings_complete(const storage_s3_settings *s, char *err, size_t errlen);

#endif
