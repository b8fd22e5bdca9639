/* The handlers of /functions/v1: invoking a function (any method, with or
 * without a sub-path), the list (service_role) and _refresh (service_role). */
#ifndef PGSTACK_FUNCTIONS_INVOKE_H
#define PGSTACK_FUNCTIONS_INVOKE_H

#include "core/request.h"
#include "core/response.h"

void functions_invoke_handle(request *req, response *res);
void functions_list_handle(request *req, response *res);
void functions_refresh_handle(request *req, response *res);

#endif
