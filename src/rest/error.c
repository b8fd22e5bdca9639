/* REST error replies and the SQLSTATE -> HTTP status mapping of PostgREST
 * (its pgErrorStatus); see error.h. */
#include "rest/error.h"

#include "core/errors.h"
#include "jwt/credentials.h"
#include "rest/error_raise.h"

#include <stdarg.h>
#include <string.h>

bool rest_error_set(rest_error *e, arena *a, int status, const char *code, const char *details,
                    const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(a, fmt, ap);
    va_end(ap);
    *e = (rest_error){status, code, message, details, hint, NULL};
    return false;
}

bool rest_error_names_unknown(const rest_error *e)
{
    static const char *const codes[] = {"PGRST200", "PGRST204", "PGRST205", "42703"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (e->code && strcmp(e->code, codes[i]) == 0)
            return true;
    return false;
}

void rest_error_from_parse(rest_error *e, const rest_parse_error *p)
{
    *e = (rest_error){p->status, p->code, p->message, p->details, p->hint, NULL};
}

static json_object *string_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

void rest_reply_error(response *res, const rest_error *e)
{
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "code", string_or_null(e->code));
    json_object_object_add(extra, "message", json_object_new_string(e->message));
    json_object *details = NULL;
    if (e->details_json)
        details = json_tokener_parse(e->details_json);
    if (!details)
        details = string_or_null(e->details);
    json_object_object_add(extra, "details", details);
    json_object_object_add(extra, "hint", string_or_null(e->hint));
    if (e->status == 401)
        response_set_header(res, "WWW-Authenticate", "Bearer");
    http_error_with(res, e->status, e->message, extra);
}

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
