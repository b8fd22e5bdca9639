/* The render cache of /render/image on the storage backend: a transformed
 * image is placed like an object version (under the render's own id) and
 * recorded in storage.renders, keyed by the source object's id and version
 * and the canonical parameters, so it works on every backend and a new
 * upload of the object never serves an old render. Renders of replaced or
 * deleted objects are swept (storage_image_cache_sweep). Only service_role
 * touches the table: callers have already been judged. */
#ifndef PGSTACK_STORAGE_IMAGE_CACHE_H
#define PGSTACK_STORAGE_IMAGE_CACHE_H

#include "storage/target.h"

#include <stddef.h>

typedef struct storage_render {
    const char *id, *version, *type, *size;
} storage_render;

/* The cached render of (object_id, source_version, params): true when
 * found (*out filled); false when missing or the lookup failed. */
bool storage_image_cache_get(request *req, const storage_target *t, const char *object_id,
                             const char *source_version, const char *params, storage_render *out);

/* Keeps len bytes of type as the render of (object_id, source_version,
 * params); failures are logged only (the reply does not depend on it). */
void storage_image_cache_put(request *req, const storage_target *t, const char *object_id,
                             const char *source_version, const char *params, const char *type,
                             const void *data, size_t len);

/* Removes up to limit renders of replaced or deleted objects, rows and
 * bytes; the number removed, -1 when the database failed. */
long storage_image_cache_sweep(const storage_settings *s, const storage_backend *be, arena *a,
                               db_conn *db, const db_caller *service, long limit);

#endif
