/* A failed caller transaction as a REST reply: unavailable, a PGRST raise
 * (error_raise.c), or PostgREST's SQLSTATE -> HTTP status (its
 * pgErrorStatus); see error.h. */
#include "rest/error.h"
#include "rest/error_raise.h"

#include "db/error.h"

#include <string.h>

static bool starts(const char *state, const char *prefix)
{
    return strncmp(state, prefix, strlen(prefix)) == 0;
}

/* PostgREST's own choices over db/'s shared table, which answers the rest
 * (400 for what it does not list, as PostgREST). */
int rest_status_for_sqlstate(const char *state, const char *message, bool anon)
{
    if (!state || !*state)
        return 500;
    if (strcmp(state, "42501") == 0)
        return anon ? 401 : 403;
    if (strcmp(state, "42883") == 0) /* undefined function: 404; operator: 400 */
        return message && starts(message, "function ") ? 404 : 400;
    if (strcmp(state, "21000") == 0)
        return message && strstr(message, "requires a WHERE clause") ? 400 : 500;
    if (starts(state, "PGCAT")) /* the schema catalog could not be loaded */
        return 503;
    return db_error_status(state, 400);
}

bool rest_caller_is_anon(const request *req)
{
    return !req->auth || !req->auth->present || !req->auth->role ||
           strcmp(req->auth->role, "anon") == 0;
}

void rest_db_failure_render(reply *r, const request *req, db_txn *t, db_status st)
{
    rest_error e = {0};
    db_error d = db_error_of(t, st);
    if (d.unavailable) {
        rest_error_set(&e, r->arena, 503, "PGRST001", NULL, NULL, "database unavailable");
        rest_error_render(r, &e);
        return;
    }
    if (strcmp(d.sqlstate, REST_RAISE_STATE) == 0) {
        rest_raise_render(r, d.message, d.detail);
        return;
    }
    e.status = rest_status_for_sqlstate(d.sqlstate, d.message, rest_caller_is_anon(req));
    e.code = *d.sqlstate ? d.sqlstate : NULL;
    e.message = *d.message ? d.message : "database error";
    e.details = d.detail;
    e.hint = d.hint;
    rest_error_render(r, &e);
}

void rest_reply_db_failure(response *res, const request *req, db_txn *t, db_status st)
{
    reply r;
    reply_init(&r, res->arena);
    rest_db_failure_render(&r, req, t, st);
    response_send(res, &r);
}
