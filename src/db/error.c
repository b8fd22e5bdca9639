/* Database failures as values and the shared SQLSTATE table; see error.h. */
#include "db/error.h"

#include "core/errors.h"

#include <string.h>

/* Codes first, then classes (a two-character prefix); as PostgREST maps them. */
static const struct {
    const char *prefix;
    int status;
} SQLSTATE_STATUS[] = {
    {"23503", 409}, {"23505", 409}, {"25006", 405}, {"42501", 403}, {"53400", 500}, {"57P01", 503},
    {"57014", 503}, {"P0001", 400}, {"42P01", 404}, {"42P17", 500}, {"08", 503},    {"09", 500},
    {"0L", 403},    {"0P", 403},    {"25", 500},    {"28", 403},    {"2D", 500},    {"38", 500},
    {"39", 500},    {"3B", 500},    {"40", 500},    {"53", 503},    {"54", 500},    {"55", 500},
    {"57", 500},    {"58", 500},    {"F0", 500},    {"HV", 500},    {"P0", 500},    {"XX", 500},
};

int db_error_status(const char *sqlstate, int fallback)
{
    for (size_t i = 0; sqlstate && i < sizeof SQLSTATE_STATUS / sizeof SQLSTATE_STATUS[0]; i++)
        if (strncmp(sqlstate, SQLSTATE_STATUS[i].prefix, strlen(SQLSTATE_STATUS[i].prefix)) == 0)
            return SQLSTATE_STATUS[i].status;
    return fallback;
}

static const char *field(PGresult *r, int code)
{
    return r ? PQresultErrorField(r, code) : NULL;
}

db_error db_error_of(db_txn *t, db_status st)
{
    if (st == DB_UNAVAILABLE)
        return (db_error){.unavailable = true, .sqlstate = "", .message = "database unavailable"};
    PGresult *err = db_txn_error(t, NULL);
    const char *state = field(err, PG_DIAG_SQLSTATE);
    const char *message = field(err, PG_DIAG_MESSAGE_PRIMARY);
    return (db_error){
        .sqlstate = state ? state : "",
        .message = message ? message : "",
        .detail = field(err, PG_DIAG_MESSAGE_DETAIL),
        .hint = field(err, PG_DIAG_MESSAGE_HINT),
    };
}

void db_reply_failure(response *res, db_txn *t, db_status st)
{
    db_error e = db_error_of(t, st);
    if (e.unavailable) {
        http_error(res, 503, "database unavailable");
        return;
    }
    int status = db_error_status(e.sqlstate, 500);
    if (strcmp(e.sqlstate, "57014") == 0)
        http_error(res, status, "statement timeout");
    else if (status == 403)
        http_error(res, status, "permission denied: %s", e.message);
    else
        http_error(res, status, "database error: %s", *e.message ? e.message : "unknown");
}
