/* Reading request bodies of the auth area. JSON bodies must be one JSON
 * object; fields are read with their expected type, and a field of the
 * wrong type is a 400 "invalid request body" naming the field. Unknown
 * fields are ignored. Form bodies (application/x-www-form-urlencoded, as
 * an OAuth provider's form_post sends them) are parsed like a query
 * string. */
#ifndef PGSTACK_AUTH_BODY_H
#define PGSTACK_AUTH_BODY_H

#include "core/query.h"
#include "core/request.h"
#include "core/response.h"

#include <json-c/json.h>
#include <stdbool.h>

/* The body as an object (owned by the arena); NULL after replying 400.
 * An empty body counts as {}. */
json_object *auth_body(request *req, response *res);

/* Field readers: true when absent (out untouched) or of the right type;
 * false after replying 400. */
bool auth_body_string(json_object *body, const char *key, const char **out, response *res);
bool auth_body_bool(json_object *body, const char *key, bool *out, response *res);
/* An object field, rendered as JSON text. */
bool auth_body_object_text(request *req, json_object *body, const char *key, const char **out,
                           response *res);

/* The body as form parameters (in order, owned by the arena); false after
 * replying 400 when the Content-Type is not
 * application/x-www-form-urlencoded or the encoding is malformed. */
bool auth_form_body(request *req, response *res, query_params *out);

#endif
