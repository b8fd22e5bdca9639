/* A failed caller transaction as a REST reply: unavailable, a PGRST raise
 * (error_raise.c), or PostgREST's SQLSTATE -> HTTP status (its
 * pgErrorStatus); see error.h. */
#include "rest/error.h"
#include "rest/error_raise.h"

#include <libpq-fe.h>
#include <string.h>

static bool starts(const char *state, const char *prefix)
{
    return strncmp(state, prefix, strlen(prefix)) == 0;
}

/* Classes PostgREST answers with something else than 400. */
static const struct {
    const char *prefix;
    int status;
} CLASS_STATUS[] = {
    {"PGCAT", 503}, {"23503", 409}, {"23505", 409}, {"25006", 405}, {"53400", 500}, {"57P01", 503},
    {"57014", 503}, {"P0001", 400}, {"42P01", 404}, {"42P17", 500}, {"08", 503},    {"09", 500},
    {"0L", 403},    {"0P", 403},    {"25", 500},    {"28", 403},    {"2D", 500},    {"38", 500},
    {"39", 500},    {"3B", 500},    {"40", 500},    {"53", 503},    {"54", 500},    {"55", 500},
    {"57", 500},    {"58", 500},    {"F0", 500},    {"HV", 500},    {"P0", 500},    {"XX", 500},
};

int rest_status_for_sqlstate(const char *state, const char *message, bool anon)
{
    if (!state)
        return 500;
    if (strcmp(state, "42501") == 0)
        return anon ? 401 : 403;
    if (strcmp(state, "42883") == 0) /* undefined function: 404; operator: 400 */
        return message && starts(message, "function ") ? 404 : 400;
    if (strcmp(state, "21000") == 0)
        return message && strstr(message, "requires a WHERE clause") ? 400 : 500;
    for (size_t i = 0; i < sizeof CLASS_STATUS / sizeof CLASS_STATUS[0]; i++)
        if (starts(state, CLASS_STATUS[i].prefix))
            return CLASS_STATUS[i].status;
    return 400;
}

bool rest_caller_is_anon(const request *req)
{
    return !req->auth || !req->auth->present || !req->auth->role ||
           strcmp(req->auth->role, "anon") == 0;
}

void rest_reply_db_failure(response *res, const request *req, db_txn *t, db_status st)
{
    rest_error e = {0};
    if (st == DB_UNAVAILABLE) {
        rest_error_set(&e, res->arena, 503, "PGRST001", NULL, NULL, "database unavailable");
        rest_reply_error(res, &e);
        return;
    }
    PGresult *err = db_txn_error(t, NULL);
    const char *state = err ? PQresultErrorField(err, PG_DIAG_SQLSTATE) : NULL;
    const char *message = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (state && strcmp(state, REST_RAISE_STATE) == 0) {
        rest_reply_raise(res, message, PQresultErrorField(err, PG_DIAG_MESSAGE_DETAIL));
        return;
    }
    e.status = rest_status_for_sqlstate(state, message, rest_caller_is_anon(req));
    e.code = state;
    e.message = message ? message : "database error";
    e.details = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_DETAIL) : NULL;
    e.hint = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_HINT) : NULL;
    rest_reply_error(res, &e);
}
