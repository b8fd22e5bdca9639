/* pgstack-storage: FastCGI program serving the storage API under
 * /storage/v1 (Supabase Storage compatible). Routes are declared here; the
 * engine lives in src/storage/ (see its README.md). Order matters: the
 * fixed words (list, info, public, sign, move, copy) come before the
 * object routes with a bucket parameter. Uploads read their own body
 * (streamed to disk). */
#include "storage/handlers.h"
#include "storage/image_render.h"
#include "storage/storage_settings.h"
#include "storage/tus.h"
#include "worker/server.h"

#include <stdbool.h>

static const route ROUTES[] = {
    {"POST", "/bucket", storage_bucket_create, ROUTE_REQUIRED},
    {"GET", "/bucket", storage_bucket_list, ROUTE_REQUIRED},
    {"GET", "/bucket/{id}", storage_bucket_get, ROUTE_REQUIRED},
    {"PUT", "/bucket/{id}", storage_bucket_update, ROUTE_REQUIRED},
    {"DELETE", "/bucket/{id}", storage_bucket_delete, ROUTE_REQUIRED},
    {"POST", "/bucket/{id}/empty", storage_bucket_empty, ROUTE_REQUIRED},
    {"POST", "/object/list/{bucket}", storage_list_folder, ROUTE_REQUIRED},
    {"GET", "/object/list/{bucket}", storage_list_flat, ROUTE_REQUIRED},
    {"POST", "/object/move", storage_object_move, ROUTE_REQUIRED},
    {"POST", "/object/copy", storage_object_copy, ROUTE_REQUIRED},
    {"GET", "/object/info/authenticated/{bucket}/*", storage_object_info, ROUTE_REQUIRED},
    {"GET", "/object/info/{bucket}/*", storage_object_info, ROUTE_REQUIRED},
    {"GET", "/object/public/{bucket}/*", storage_object_public, ROUTE_PUBLIC},
    {"GET", "/object/authenticated/{bucket}/*", storage_object_download, ROUTE_REQUIRED},
    {"GET", "/object/sign/{bucket}/*", storage_sign_download, ROUTE_PUBLIC},
    {"POST", "/object/sign/{bucket}/*", storage_sign_one, ROUTE_REQUIRED},
    {"POST", "/object/sign/{bucket}", storage_sign_many, ROUTE_REQUIRED},
    {"POST", "/object/upload/sign/{bucket}/*", storage_sign_upload_create, ROUTE_REQUIRED},
    {"PUT", "/object/upload/sign/{bucket}/*", storage_sign_upload_put, ROUTE_PUBLIC},
    {"POST", "/object/{bucket}/*", storage_object_upload, ROUTE_REQUIRED},
    {"PUT", "/object/{bucket}/*", storage_object_update, ROUTE_REQUIRED},
    {"GET", "/object/{bucket}/*", storage_object_download, ROUTE_REQUIRED},
    {"DELETE", "/object/{bucket}/*", storage_object_delete, ROUTE_REQUIRED},
    {"DELETE", "/object/{bucket}", storage_object_delete_many, ROUTE_REQUIRED},
    {"OPTIONS", "/upload/resumable", storage_tus_options, ROUTE_PUBLIC},
    {"OPTIONS", "/upload/resumable/sign", storage_tus_options, ROUTE_PUBLIC},
    {"POST", "/upload/resumable/sign", storage_tus_sign_create, ROUTE_PUBLIC},
    {"OPTIONS", "/upload/resumable/sign/{id}", storage_tus_options, ROUTE_PUBLIC},
    {"HEAD", "/upload/resumable/sign/{id}", storage_tus_sign_head, ROUTE_PUBLIC},
    {"PATCH", "/upload/resumable/sign/{id}", storage_tus_sign_patch, ROUTE_PUBLIC},
    {"DELETE", "/upload/resumable/sign/{id}", storage_tus_sign_delete, ROUTE_PUBLIC},
    {"POST", "/upload/resumable", storage_tus_create, ROUTE_REQUIRED},
    {"OPTIONS", "/upload/resumable/{id}", storage_tus_options, ROUTE_PUBLIC},
    {"HEAD", "/upload/resumable/{id}", storage_tus_head, ROUTE_REQUIRED},
    {"PATCH", "/upload/resumable/{id}", storage_tus_patch, ROUTE_REQUIRED},
    {"DELETE", "/upload/resumable/{id}", storage_tus_delete, ROUTE_REQUIRED},
    {"GET", "/render/image/public/{bucket}/*", storage_image_public, ROUTE_PUBLIC},
    {"GET", "/render/image/authenticated/{bucket}/*", storage_image_authenticated, ROUTE_REQUIRED},
    {"GET", "/render/image/sign/{bucket}/*", storage_image_sign, ROUTE_PUBLIC},
};

/* Uploads stream their body to disk themselves. */
static bool storage_reads_body(const route *r)
{
    return r->handler == storage_object_upload || r->handler == storage_object_update ||
           r->handler == storage_sign_upload_put || r->handler == storage_tus_create ||
           r->handler == storage_tus_patch || r->handler == storage_tus_sign_create ||
           r->handler == storage_tus_sign_patch;
}

static const area AREA = {
    .name = "storage",
    .program = "pgstack-storage",
    .prefix = "/storage/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .settings = &storage_config_section,
    .reads_body = storage_reads_body,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
