/* The health check; see health.h. */
#include "health/health.h"

#include "db/txn.h"
#include "worker/app.h"

void health_handle(request *req, response *res)
{
    app_ctx *app = req->app;
    db_txn *t = db_txn_new(req->arena, app->db, NULL);
    db_txn_add(t, "select 1", 0, NULL);
    db_status st = db_txn_run(t, app->cfg.db_connect_timeout_s * 1000L);
    response_set_header(res, "Cache-Control", "no-store");
    if (st == DB_OK)
        response_json(res, 200, "{\"status\":\"ok\",\"pg_connected\":true}");
    else
        response_json(res, 503, "{\"status\":\"degraded\",\"pg_connected\":false}");
}
