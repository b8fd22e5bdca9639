/* Choosing the backend named by STORAGE_BACKEND, and the reply when a
 * backend fails; see backend.h. */
#include "storage/backend.h"

#include "storage/reply.h"

#include <string.h>

const storage_backend *storage_backend_get(const storage_settings *s)
{
    if (strcmp(s->backend, "database") == 0)
        return &storage_database_backend;
    if (strcmp(s->backend, "s3") == 0)
        return &storage_s3_backend;
    return &storage_disk_backend;
}

void storage_backend_failure(response *res, const storage_backend *be, const char *what)
{
    if (be->remote)
        storage_error(res, 503, "ServiceUnavailable", "the object store is unavailable");
    else
        storage_error(res, 500, "InternalError", what);
}
