/* The functions catalog; see catalog.h. */
#include "functions/catalog.h"

#include "core/errors.h"
#include "db/error.h"
#include "db/txn.h"

#include <string.h>

#define LOOKUP_SQL                                                                                 \
    "select runtime, verify_jwt, version, db_function, secrets_version "                           \
    "from pgstack_functions.lookup($1)"
#define FILES_SQL "select pgstack_functions.deployment_files($1, $2)::text"

bool functions_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 128 ||
        !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static const char *value(arena *a, PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : arena_strdup(a, PQgetvalue(r, 0, col));
}

functions_lookup_result functions_catalog_lookup(app_ctx *app, arena *a, const char *name,
                                                 functions_entry *out, response *res)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    const char *params[] = {name};
    int i = db_txn_add(t, LOOKUP_SQL, 1, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return FUNCTIONS_FAILED;
    }
    PGresult *r = db_txn_result(t, i);
    if (PQntuples(r) == 0)
        return FUNCTIONS_MISSING;
    *out = (functions_entry){
        .name = name,
        .runtime = value(a, r, 0),
        .verify_jwt = strcmp(PQgetvalue(r, 0, 1), "t") == 0,
        .version = value(a, r, 2),
        .db_function = value(a, r, 3),
        .secrets_version = value(a, r, 4),
    };
    return FUNCTIONS_FOUND;
}

const char *functions_catalog_files(app_ctx *app, arena *a, const functions_entry *fn,
                                    response *res)
{
    db_txn *t = db_txn_new(a, app->db, NULL);
    const char *params[] = {fn->name, fn->version};
    int i = db_txn_add(t, FILES_SQL, 2, params);
    db_status st = db_txn_run(t, app_txn_wait_ms(app));
    if (st != DB_OK) {
        db_reply_failure(res, t, st);
        return NULL;
    }
    PGresult *r = db_txn_result(t, i);
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        http_error(res, 404, "function %s was redeployed or deleted during the request", fn->name);
        return NULL;
    }
    return arena_strdup(a, PQgetvalue(r, 0, 0));
}
