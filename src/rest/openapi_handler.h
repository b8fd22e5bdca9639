/* GET (and HEAD) /rest/v1/: the OpenAPI document (openapi.h) of the profile
 * chosen by Accept-Profile, showing what the caller's role may use: the
 * privileges are read in one transaction as the caller. */
#ifndef PGSTACK_REST_OPENAPI_HANDLER_H
#define PGSTACK_REST_OPENAPI_HANDLER_H

#include "core/request.h"
#include "core/response.h"

void rest_openapi_handle(request *req, response *res);

#endif
