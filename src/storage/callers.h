/* Who the storage area's database work runs as: the request's own caller
 * (role and claims of its JWT), or service_role for public and signed URLs
 * and the area's private tables, once a bucket flag, a token or the
 * caller's own SELECT has decided. */
#ifndef PGSTACK_STORAGE_CALLERS_H
#define PGSTACK_STORAGE_CALLERS_H

#include "core/request.h"
#include "db/txn.h"
#include "storage/storage_settings.h"

db_caller storage_caller(const request *req, const storage_settings *s);
db_caller storage_service_caller(const request *req, const storage_settings *s);

#endif
