/* The route handlers of /storage/v1 (fcgi/pgstack-storage.c maps routes
 * to them). */
#ifndef PGSTACK_STORAGE_HANDLERS_H
#define PGSTACK_STORAGE_HANDLERS_H

#include "core/request.h"
#include "core/response.h"

/* bucket.c */
void storage_bucket_create(request *req, response *res);
void storage_bucket_list(request *req, response *res);
void storage_bucket_get(request *req, response *res);
void storage_bucket_update(request *req, response *res);
void storage_bucket_empty(request *req, response *res);
void storage_bucket_delete(request *req, response *res);

/* object.c */
void storage_object_upload(request *req, response *res); /* POST: x-upsert decides */
void storage_object_update(request *req, response *res); /* PUT: upsert */
void storage_object_download(request *req, response *res);
void storage_object_public(request *req, response *res);
void storage_object_info(request *req, response *res);
void storage_object_delete(request *req, response *res);
void storage_object_delete_many(request *req, response *res);
void storage_object_move(request *req, response *res);
void storage_object_copy(request *req, response *res);

/* list.c */
void storage_list_folder(request *req, response *res); /* POST /object/list/{bucket} */
void storage_list_flat(request *req, response *res);   /* GET /object/list/{bucket} */

/* sign.c */
void storage_sign_one(request *req, response *res);
void storage_sign_many(request *req, response *res);
void storage_sign_download(request *req, response *res);
void storage_sign_upload_create(request *req, response *res);
void storage_sign_upload_put(request *req, response *res);

#endif
