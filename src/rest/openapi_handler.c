/* GET /rest/v1/; see openapi_handler.h. The caller's privileges on the
 * profile's relations (any column for SELECT, INSERT, UPDATE; the table for
 * DELETE) and functions (EXECUTE) come from two statements of the caller's
 * transaction; the document is built from the catalog. */
#include "rest/openapi_handler.h"

#include "rest/catalog/catalog_cache.h"
#include "rest/error.h"
#include "rest/openapi/openapi.h"
#include "rest/parse/parse.h"
#include "worker/app.h"
#include "worker/caller.h"

#include <stdlib.h>
#include <string.h>

#define USABLE_SCHEMA                                                                              \
    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "                                    \
    "where n.nspname = $1 and pg_catalog.has_schema_privilege(n.oid, 'USAGE') "

static const char RELATION_GRANTS_SQL[] =
    "select c.oid::int8, pg_catalog.has_any_column_privilege(c.oid, 'SELECT'), "
    "pg_catalog.has_any_column_privilege(c.oid, 'INSERT'), "
    "pg_catalog.has_any_column_privilege(c.oid, 'UPDATE'), "
    "pg_catalog.has_table_privilege(c.oid, 'DELETE') "
    "from pg_catalog.pg_class c " USABLE_SCHEMA "and c.relkind in ('r', 'p', 'v', 'm', 'f')";

static const char FUNCTION_GRANTS_SQL[] =
    "select c.oid::int8 from pg_catalog.pg_proc c "
    "join pg_catalog.pg_namespace n on n.oid = c.pronamespace "
    "where n.nspname = $1 and pg_catalog.has_schema_privilege(n.oid, 'USAGE') "
    "and pg_catalog.has_function_privilege(c.oid, 'EXECUTE')";

/* The profile: Accept-Profile among DB_SCHEMAS (406 otherwise). */
static bool choose_profile(request *req, const char **schema, rest_error *err)
{
    const pgstack_config *cfg = &req->app->cfg;
    rest_parse_input in = {
        .method = REST_GET,
        .accept_profile = request_header(req, "accept-profile"),
        .schemas = (const char *const *)cfg->db_schemas.items,
        .schema_count = cfg->db_schemas.count,
    };
    rest_request rq;
    rest_parse_error perr;
    if (!rest_parse_request(req->arena, &in, NULL, &rq, &perr)) {
        rest_error_from_parse(err, &perr);
        return false;
    }
    *schema = rq.schema ? rq.schema : "public";
    return true;
}

static bool flag(PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

static void read_access(arena *a, PGresult *rels, PGresult *funcs, rest_openapi_access *out)
{
    rest_openapi_grant *grants = arena_alloc(a, ((size_t)PQntuples(rels) + 1) * sizeof(*grants));
    for (int i = 0; i < PQntuples(rels); i++)
        grants[i] = (rest_openapi_grant){(unsigned)strtoul(PQgetvalue(rels, i, 0), NULL, 10),
                                         flag(rels, i, 1), flag(rels, i, 2), flag(rels, i, 3),
                                         flag(rels, i, 4)};
    unsigned *oids = arena_alloc(a, ((size_t)PQntuples(funcs) + 1) * sizeof(*oids));
    for (int i = 0; i < PQntuples(funcs); i++)
        oids[i] = (unsigned)strtoul(PQgetvalue(funcs, i, 0), NULL, 10);
    *out = (rest_openapi_access){grants, (size_t)PQntuples(rels), oids, (size_t)PQntuples(funcs)};
}

/* Reads the caller's privileges and replies; false when the catalog
 * changed under it. */
static bool run_openapi(request *req, response *res, const char *schema, int attempt)
{
    app_ctx *app = req->app;
    rest_error err;
    const rest_catalog *cat = rest_catalog_current(app, req->arena, &err);
    if (!cat) {
        rest_reply_error(res, &err);
        return true;
    }
    db_caller caller = db_caller_from_request(req, app->cfg.db_statement_timeout_ms);
    db_txn *t = db_txn_new(req->arena, app->db, &caller);
    rest_catalog_add_check(app, req->arena, t, cat);
    const char *params[] = {schema};
    int rels_q = db_txn_add(t, RELATION_GRANTS_SQL, 1, params);
    int funcs_q = db_txn_add(t, FUNCTION_GRANTS_SQL, 1, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (rest_catalog_retry(app, req->arena, cat, attempt, NULL, t, st))
        return false;
    if (st != DB_OK) {
        rest_reply_db_failure(res, req, t, st);
        return true;
    }
    rest_openapi_access access;
    read_access(req->arena, db_txn_result(t, rels_q), db_txn_result(t, funcs_q), &access);
    response_json(res, 200, rest_openapi_document(req->arena, cat, schema, &access));
    response_set_header(res, "Content-Type", "application/openapi+json; charset=utf-8");
    return true;
}

void rest_openapi_handle(request *req, response *res)
{
    const char *schema;
    rest_error err;
    if (!choose_profile(req, &schema, &err)) {
        rest_reply_error(res, &err);
        return;
    }
    for (int attempt = 0; !run_openapi(req, res, schema, attempt); attempt++)
        ;
}
