/* Connection management and prepared-statement cache; see conn.h. */
#include "db/conn.h"

#include "core/log.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SLOTS 1024 /* power of two; at most half are used */

/* A statement is prepared once per connection: its Parse is sent with the
 * first use (state SENT), and later uses in the same pipeline reuse it. */
typedef enum { STMT_UNPREPARED, STMT_SENT, STMT_PREPARED } stmt_state;

typedef struct stmt_entry {
    char *sql;
    char name[24];
    stmt_state state;
} stmt_entry;

struct db_conn {
    char *url;
    char timeout[16];
    char *application_name;
    bool prepared_statements;
    PGconn *pg;
    bool reported_down;
    stmt_entry stmts[STMT_CACHE_SLOTS];
    unsigned stmt_count;
    unsigned long stmt_serial;
    unsigned long generation; /* successful connects so far */
};

db_conn *db_conn_new(const char *url, long connect_timeout_s, const char *application_name,
                     bool prepared_statements)
{
    db_conn *c = calloc(1, sizeof(*c));
    c->url = strdup(url);
    snprintf(c->timeout, sizeof c->timeout, "%ld", connect_timeout_s);
    c->application_name = strdup(application_name);
    c->prepared_statements = prepared_statements;
    return c;
}

static void stmt_cache_clear(db_conn *c)
{
    for (unsigned i = 0; i < STMT_CACHE_SLOTS; i++) {
        free(c->stmts[i].sql);
        c->stmts[i].sql = NULL;
        c->stmts[i].state = STMT_UNPREPARED;
    }
    c->stmt_count = 0;
}

void db_conn_drop(db_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    stmt_cache_clear(c);
}

void db_conn_free(db_conn *c)
{
    if (!c)
        return;
    db_conn_drop(c);
    free(c->url);
    free(c->application_name);
    free(c);
}

static bool connect_now(db_conn *c)
{
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "client_encoding", NULL};
    const char *values[] = {c->url, c->timeout, c->application_name, "UTF8", NULL};
    c->pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(c->pg) != CONNECTION_OK || PQsetnonblocking(c->pg, 1) != 0) {
        if (!c->reported_down) {
            char *msg = PQerrorMessage(c->pg);
            size_t n = strcspn(msg, "\n");
            log_event("database unavailable: %.*s", (int)n, msg);
            c->reported_down = true;
        }
        db_conn_drop(c);
        return false;
    }
    if (c->reported_down)
        log_event("database connection restored");
    c->reported_down = false;
    c->generation++;
    return true;
}

/* Reads whatever the server sent while idle: a shutdown notice or EOF turns
 * the connection bad without sending anything. A server that shuts down
 * sends its FATAL message and then closes the connection; one read takes
 * the message, only the next sees the end of the stream — so read twice.
 * A socket with nothing to read (the usual case between requests) needs
 * neither read: one poll() instead of two recv() that fail with EAGAIN. */
static bool connected(db_conn *c)
{
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (PQstatus(c->pg) == CONNECTION_OK && poll(&pfd, 1, 0) == 0)
        return true;
    for (int i = 0; i < 2; i++)
        if (PQstatus(c->pg) != CONNECTION_OK || !PQconsumeInput(c->pg))
            return false;
    return PQstatus(c->pg) == CONNECTION_OK;
}

static bool still_alive(db_conn *c)
{
    return connected(c) && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
}

PGconn *db_conn_in_transaction(db_conn *c)
{
    if (c->pg && !connected(c))
        db_conn_drop(c);
    return c->pg;
}

PGconn *db_conn_get(db_conn *c)
{
    if (c->pg && !still_alive(c))
        db_conn_drop(c);
    if (!c->pg && !connect_now(c))
        return NULL;
    return c->pg;
}

bool db_conn_uses_prepared(const db_conn *c)
{
    return c->prepared_statements;
}

unsigned long db_conn_generation(const db_conn *c)
{
    return c->generation;
}

static unsigned long hash_text(const char *s)
{
    unsigned long h = 1469598103934665603UL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211UL;
    return h;
}

const char *db_conn_statement_name(db_conn *c, const char *sql, bool *needs_prepare)
{
    if (!c->prepared_statements)
        return NULL;
    unsigned i = (unsigned)hash_text(sql) & (STMT_CACHE_SLOTS - 1);
    while (c->stmts[i].sql) {
        if (strcmp(c->stmts[i].sql, sql) == 0) {
            *needs_prepare = c->stmts[i].state == STMT_UNPREPARED;
            if (*needs_prepare)
                c->stmts[i].state = STMT_SENT;
            return c->stmts[i].name;
        }
        i = (i + 1) & (STMT_CACHE_SLOTS - 1);
    }
    if (c->stmt_count >= STMT_CACHE_SLOTS / 2)
        return NULL;
    c->stmts[i].sql = strdup(sql);
    snprintf(c->stmts[i].name, sizeof c->stmts[i].name, "pgstack_%lu", ++c->stmt_serial);
    c->stmts[i].state = STMT_SENT;
    c->stmt_count++;
    *needs_prepare = true;
    return c->stmts[i].name;
}

void db_conn_statement_prepared(db_conn *c, const char *name, bool ok)
{
    for (unsigned i = 0; i < STMT_CACHE_SLOTS; i++)
        if (c->stmts[i].sql && strcmp(c->stmts[i].name, name) == 0) {
            c->stmts[i].state = ok ? STMT_PREPARED : STMT_UNPREPARED;
            return;
        }
}
