/* JSON request bodies of the storage routes: the object, and typed field
 * readers that reply 400 naming the field when it has the wrong type. */
#ifndef PGSTACK_STORAGE_BODY_H
#define PGSTACK_STORAGE_BODY_H

#include "core/request.h"
#include "core/response.h"

#include <json-c/json.h>
#include <stdbool.h>

/* The body as a JSON object ({} when empty); NULL after a 400 reply. */
json_object *storage_body_object(request *req, response *res);

/* A string field: *out NULL when absent; false after a 400 reply. */
bool storage_body_string(response *res, json_object *body, const char *name, const char **out);

/* An integer field (absent: *out unchanged). */
bool storage_body_long(response *res, json_object *body, const char *name, long *out);

#endif
