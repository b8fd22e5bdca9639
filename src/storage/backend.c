/* Choosing the backend named by STORAGE_BACKEND; see backend.h. */
#include "storage/backend.h"

#include <string.h>

const storage_backend *storage_backend_get(const storage_settings *s)
{
    return strcmp(s->backend, "database") == 0 ? &storage_database_backend : &storage_disk_backend;
}
