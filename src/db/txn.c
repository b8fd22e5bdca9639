/* Pipelined caller transactions; see txn.h. */
#include "core/vec.h"
#include "db/txn.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#define SETUP_CONTEXT                                                                              \
    "set_config('request.jwt.claims', $2, true), set_config('request.jwt.claim.sub', $3, true), "  \
    "set_config('request.jwt.claim.role', $4, true), set_config('request.method', $5, true), "     \
    "set_config('request.path', $6, true), set_config('request.headers', $7, true), "              \
    "set_config('statement_timeout', $8, true)"
#define SETUP_WITH_ROLE "select set_config('role', $1, true), " SETUP_CONTEXT
#define SETUP_WITHOUT_ROLE "select $1::text, " SETUP_CONTEXT

typedef struct queued {
    const char *sql;
    int nparams;
    const char *const *values;
    const char *prepare_name; /* sent with a Parse first; NULL if none */
    const char *stmt_name;    /* NULL: unnamed statement */
    PGresult *result;
} queued;

struct db_txn {
    arena *arena;
    db_conn *conn;
    queued *items;
    int count;
    size_t cap;
    int first; /* the first statement of the current run */
    int error_index;
    bool block;
};

static void clear_result(void *res)
{
    PQclear(res);
}

int db_txn_add(db_txn *t, const char *sql, int nparams, const char *const *values)
{
    t->items = vec_grow(t->arena, t->items, (size_t)t->count, &t->cap, (size_t)t->count + 1,
                        sizeof(queued));
    t->items[t->count] = (queued){.sql = sql, .nparams = nparams, .values = values};
    return t->count++;
}

static db_txn *txn_new(arena *a, db_conn *c, const db_caller *caller, bool block)
{
    db_txn *t = arena_zalloc(a, sizeof(*t));
    t->arena = a;
    t->conn = c;
    t->error_index = -1;
    t->block = block;
    if (block)
        db_txn_add(t, "begin", 0, NULL);
    if (caller) {
        const char **v = arena_alloc(a, 8 * sizeof(char *));
        v[0] = caller->db_role;
        v[1] = caller->claims_json ? caller->claims_json : "";
        v[2] = caller->sub ? caller->sub : "";
        v[3] = caller->claim_role ? caller->claim_role : "";
        v[4] = caller->method ? caller->method : "";
        v[5] = caller->path ? caller->path : "";
        v[6] = caller->headers_json ? caller->headers_json : "{}";
        v[7] = arena_itoa(a, caller->statement_timeout_ms);
        db_txn_add(t, caller->db_role ? SETUP_WITH_ROLE : SETUP_WITHOUT_ROLE, 8, v);
    }
    return t;
}

db_txn *db_txn_new(arena *a, db_conn *c, const db_caller *caller)
{
    return txn_new(a, c, caller, false);
}

db_txn *db_txn_new_block(arena *a, db_conn *c, const db_caller *caller)
{
    return txn_new(a, c, caller, true);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits for the socket until the deadline; false on timeout or error. */
static bool wait_socket(PGconn *pg, short events, long deadline)
{
    long left = deadline - now_ms();
    if (left <= 0)
        return false;
    struct pollfd pfd = {.fd = PQsocket(pg), .events = events};
    int rc;
    do
        rc = poll(&pfd, 1, (int)left);
    while (rc < 0 && errno == EINTR && (left = deadline - now_ms()) > 0);
    return rc > 0;
}

static bool flush_all(PGconn *pg, long deadline)
{
    int rc;
    while ((rc = PQflush(pg)) == 1) {
        if (!wait_socket(pg, POLLIN | POLLOUT, deadline) || !PQconsumeInput(pg))
            return false;
    }
    return rc == 0;
}

/* The next result, or NULL at a query's end; *broken on timeout/loss. */
static PGresult *next_result(PGconn *pg, long deadline, bool *broken)
{
    while (PQisBusy(pg)) {
        if (!wait_socket(pg, POLLIN, deadline) || !PQconsumeInput(pg)) {
            *broken = true;
            return NULL;
        }
    }
    return PQgetResult(pg);
}

static bool send_item(db_txn *t, PGconn *pg, queued *q)
{
    bool needs_prepare = false;
    q->stmt_name = db_conn_statement_name(t->conn, q->sql, &needs_prepare);
    if (q->stmt_name && needs_prepare) {
        q->prepare_name = q->stmt_name;
        if (!PQsendPrepare(pg, q->stmt_name, q->sql, q->nparams, NULL))
            return false;
    }
    if (q->stmt_name)
        return PQsendQueryPrepared(pg, q->stmt_name, q->nparams, q->values, NULL, NULL, 0);
    return PQsendQueryParams(pg, q->sql, q->nparams, NULL, q->values, NULL, NULL, 0);
}

/* Reads one query's results (one result, then NULL). */
static PGresult *read_one(PGconn *pg, long deadline, bool *broken)
{
    PGresult *res = next_result(pg, deadline, broken);
    if (!res)
        return NULL;
    PGresult *extra;
    while (!*broken && (extra = next_result(pg, deadline, broken)) != NULL)
        PQclear(extra); /* never more than one for our statements */
    return res;
}

static bool read_prepare(db_txn *t, PGconn *pg, queued *q, long deadline, bool *broken)
{
    PGresult *res = read_one(pg, deadline, broken);
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    db_conn_statement_prepared(t->conn, q->prepare_name, ok);
    if (!ok && res && PQresultStatus(res) == PGRES_FATAL_ERROR && t->error_index < 0) {
        t->error_index = (int)(q - t->items);
        q->result = res;
        arena_defer(t->arena, clear_result, res);
        return true;
    }
    PQclear(res);
    return !*broken;
}

static bool read_results(db_txn *t, PGconn *pg, long deadline)
{
    bool broken = false;
    for (int i = t->first; i < t->count && !broken; i++) {
        queued *q = &t->items[i];
        if (q->prepare_name && !read_prepare(t, pg, q, deadline, &broken))
            break;
        PGresult *res = read_one(pg, deadline, &broken);
        if (!res)
            continue;
        if (PQresultStatus(res) == PGRES_FATAL_ERROR && t->error_index < 0) {
            t->error_index = i;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED || q->result) {
            PQclear(res);
            continue;
        }
        q->result = res;
        arena_defer(t->arena, clear_result, res);
    }
    if (broken)
        return false;
    PGresult *sync = next_result(pg, deadline, &broken);
    bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    return synced && PQexitPipelineMode(pg) == 1;
}

db_status db_txn_run(db_txn *t, long timeout_ms)
{
    /* a block's later runs continue the transaction its first run opened */
    PGconn *pg = t->block && t->first > 0 ? db_conn_in_transaction(t->conn) : db_conn_get(t->conn);
    if (!pg)
        return DB_UNAVAILABLE;
    long deadline = now_ms() + timeout_ms;
    t->error_index = -1;
    bool sent = PQenterPipelineMode(pg) == 1;
    for (int i = t->first; sent && i < t->count; i++)
        sent = send_item(t, pg, &t->items[i]);
    sent = sent && PQpipelineSync(pg) == 1 && flush_all(pg, deadline);
    bool read = sent && read_results(t, pg, deadline);
    t->first = t->count;
    if (!read) {
        db_conn_drop(t->conn); /* the server rolls back what it had begun */
        return DB_UNAVAILABLE;
    }
    return t->error_index >= 0 ? DB_QUERY_ERROR : DB_OK;
}

bool db_txn_end_block(db_txn *t, long timeout_ms)
{
    if (!t->block)
        return true;
    PGconn *pg = db_conn_in_transaction(t->conn);
    if (!pg || PQtransactionStatus(pg) == PQTRANS_IDLE) {
        t->block = false;
        return pg != NULL;
    }
    db_txn_add(t, "rollback", 0, NULL);
    bool ok = db_txn_run(t, timeout_ms) == DB_OK;
    t->block = false;
    return ok;
}

PGresult *db_txn_result(db_txn *t, int i)
{
    return i >= 0 && i < t->count ? t->items[i].result : NULL;
}

PGresult *db_txn_error(db_txn *t, int *index)
{
    if (index)
        *index = t->error_index;
    return t->error_index >= 0 ? t->items[t->error_index].result : NULL;
}
