/* POST /api/catalog/refresh (service_role): tells every REST worker to
 * reload its schema catalog (pgstack.catalog_changed(): version bump and
 * NOTIFY pgstack_catalog); answers {"ok": true}. */
#ifndef PGSTACK_REST_CATALOG_REFRESH_H
#define PGSTACK_REST_CATALOG_REFRESH_H

#include "core/request.h"
#include "core/response.h"

void rest_catalog_refresh_handle(request *req, response *res);

#endif
