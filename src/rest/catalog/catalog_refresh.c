/* The catalog refresh endpoint; see catalog_refresh.h. */
#include "rest/catalog/catalog_refresh.h"

#include "core/errors.h"
#include "db/error.h"
#include "worker/app.h"
#include "worker/caller.h"
#include "worker/credentials.h"

#include <string.h>

#define REFRESH_SQL "select pgstack.catalog_changed()"

void rest_catalog_refresh_handle(request *req, response *res)
{
    app_ctx *app = req->app;
    if (!req->auth || !req->auth->role || strcmp(req->auth->role, "service_role") != 0) {
        http_error(res, 403, "the service_role key is required");
        return;
    }
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    db_txn_add(t, REFRESH_SQL, 0, NULL);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return;
    }
    response_json(res, 200, "{\"ok\":true}");
}
