/* postgres_changes in the daemon; see pgchanges.h. */
#include "realtime/pgchanges.h"

#include "core/json_text.h"
#include "core/log.h"
#include "realtime/livequery.h"
#include "realtime/pgchanges_filter.h"
#include "realtime/rt_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PGC_POLL_MS 10000
/* Supabase's max_record_bytes: a bigger row keeps only its short values. */
#define PGC_MAX_RECORD_BYTES (1024 * 1024)
#define PGC_CUT_VALUE_BYTES 64

/* INVALID: the binding could not be parsed (final); REFUSED: the database
 * said why not (asked again when the channel's token changes). */
typedef enum { PGC_PENDING, PGC_LIVE, PGC_REFUSED, PGC_INVALID } pgc_state;

/* One channel that asked for changes. */
typedef struct pgc_sub {
    void *owner;
    const rt_auth *auth;
    char *channel;
    pgc_binding *bindings;
    pgc_state *state;
    size_t count;
    unsigned long long serial;
    unsigned pending_status; /* status queries not answered yet */
    pgchanges_deliver_fn *deliver;
    struct pgc_sub *next;
} pgc_sub;

typedef struct pgc_change {
    long long seq, id;
    char *relid, *schema, *table, *type, *ts;
    int event; /* PGC_INSERT ... */
} pgc_change;

/* Changes read in one query, shared by the checks of every claim set. */
typedef struct pgc_batch {
    pgc_change *changes;
    size_t count;
    int refs;
} pgc_batch;

/* A query on the RLS connection: one claim set's check of a batch, or the
 * status of a channel's bindings (serial). */
typedef struct pgc_job {
    pgchanges *pc;
    pgc_batch *batch;
    char *claim_key;
    unsigned long long serial;
    struct pgc_job *prev, *next;
} pgc_job;

struct pgchanges {
    rt_context *ctx;
    ae_loop *loop;
    rt_pg *listen, *check;
    long batch_size;
    pgc_sub *subs;
    pgc_job *jobs;
    unsigned long long next_serial;
    char reader[320];
    bool attached, reconnected;
    long long seq, id;  /* the cursor: the last change read */
    long long advanced; /* the last commit reported delivered */
    bool reading, again;
    long long timer;
};

/* ------------------------------------------------------------ helpers */

const char *pgchanges_system(arena *a, const char *status, const char *message,
                             const char *channel_name)
{
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "extension", json_object_new_string("postgres_changes"));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_object_add(o, "channel", json_object_new_string(channel_name));
    return json_text(a, o);
}

/* A system message about one binding (its id added). */
static void pgc_tell(pgchanges *pc, pgc_sub *s, const pgc_binding *b, const char *status,
                     const char *message)
{
    arena *a = pc->ctx->work;
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "extension", json_object_new_string("postgres_changes"));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_object_add(o, "channel", json_object_new_string(s->channel));
    if (b)
        json_object_object_add(o, "id", json_object_new_int64(b->id));
    s->deliver(s->owner, "system", json_text(a, o));
}

static const char *pgc_claim_key(arena *a, const pgc_sub *s)
{
    return rt_auth_claim_key(a, s->auth);
}

static pgc_job *pgc_job_new(pgchanges *pc)
{
    pgc_job *j = calloc(1, sizeof(*j));
    j->pc = pc;
    j->next = pc->jobs;
    if (pc->jobs)
        pc->jobs->prev = j;
    pc->jobs = j;
    return j;
}

static void pgc_batch_release(pgc_batch *b)
{
    if (!b || --b->refs > 0)
        return;
    for (size_t i = 0; i < b->count; i++) {
        pgc_change *c = &b->changes[i];
        free(c->relid);
        free(c->schema);
        free(c->table);
        free(c->type);
        free(c->ts);
    }
    free(b->changes);
    free(b);
}

static void pgc_job_free(pgc_job *j)
{
    pgchanges *pc = j->pc;
    if (j->prev)
        j->prev->next = j->next;
    else
        pc->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    pgc_batch_release(j->batch);
    free(j->claim_key);
    free(j);
}

static void pgc_ignore(void *data, PGresult *res)
{
    (void)data;
    (void)res;
}

/* ------------------------------------------------------ subscriptions */

static pgc_sub *pgc_sub_by_serial(pgchanges *pc, unsigned long long serial)
{
    for (pgc_sub *s = pc->subs; s; s = s->next)
        if (s->serial == serial)
            return s;
    return NULL;
}

static void pgc_sub_free(pgc_sub *s)
{
    for (size_t i = 0; i < s->count; i++)
        pgc_binding_clear(&s->bindings[i]);
    free(s->bindings);
    free(s->state);
    free(s->channel);
    free(s);
}

/* pgchanges.binding_status's answer: each binding is live or refused. */
static void pgc_on_status(void *data, PGresult *res)
{
    pgc_job *j = data;
    pgchanges *pc = j->pc;
    pgc_sub *s = pgc_sub_by_serial(pc, j->serial);
    json_object *list = NULL;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        list = json_arena_owned(pc->ctx->work, json_tokener_parse(PQgetvalue(res, 0, 0)));
    else if (res)
        log_event("pgchanges: binding status: %s", PQresultErrorMessage(res));
    if (s)
        s->pending_status--;
    for (size_t i = 0; s && i < s->count; i++) {
        if (s->state[i] == PGC_INVALID)
            continue;
        json_object *why = list ? json_object_array_get_idx(list, i) : NULL;
        pgc_state now = list && !json_plain_string(why) ? PGC_LIVE : PGC_REFUSED;
        if (now == s->state[i]) /* a recheck that changes nothing says nothing */
            continue;
        s->state[i] = now;
        if (now == PGC_LIVE) {
            pgc_tell(pc, s, &s->bindings[i], "ok", "Subscribed to PostgreSQL");
        } else {
            pgc_tell(pc, s, &s->bindings[i], "error",
                     list ? json_plain_string(why)
                          : "the database could not be asked about this binding: no change "
                            "will be delivered (join again)");
        }
    }
    pgc_job_free(j);
}

/* Asks the database whether each parsed binding can be served. */
static void pgc_ask_status(pgchanges *pc, pgc_sub *s)
{
    arena *a = pc->ctx->work;
    json_object *ask = json_arena_owned(a, json_object_new_array());
    for (size_t i = 0; i < s->count; i++) {
        json_object *b = json_object_new_object();
        json_object_object_add(b, "schema", json_object_new_string(s->bindings[i].schema));
        if (s->bindings[i].table)
            json_object_object_add(b, "table", json_object_new_string(s->bindings[i].table));
        json_object_array_add(ask, b);
    }
    pgc_job *j = pgc_job_new(pc);
    j->serial = s->serial;
    s->pending_status++;
    const char *params[] = {s->auth->role, json_text(a, ask)};
    if (!rt_pg_query(pc->check, "select pgchanges.binding_status($1, $2::jsonb)", 2, params,
                     pgc_on_status, j))
        pgc_on_status(j, NULL);
}

void pgchanges_subscribe(pgchanges *pc, void *owner, const rt_auth *auth, const char *channel_name,
                         json_object *bindings, pgchanges_deliver_fn *deliver)
{
    size_t n = bindings ? json_object_array_length(bindings) : 0;
    if (n == 0)
        return;
    pgc_sub *s = calloc(1, sizeof(*s));
    s->owner = owner;
    s->auth = auth;
    s->channel = strdup(channel_name);
    s->deliver = deliver;
    s->serial = ++pc->next_serial;
    s->bindings = calloc(n, sizeof(*s->bindings));
    s->state = calloc(n, sizeof(*s->state));
    s->count = n;
    s->next = pc->subs;
    pc->subs = s;
    for (size_t i = 0; i < n; i++) {
        json_object *b = json_object_array_get_idx(bindings, i), *id;
        long long bid = json_object_object_get_ex(b, "id", &id) ? json_object_get_int64(id) : 0;
        char why[300];
        if (!pgc_binding_parse(b, bid, &s->bindings[i], why, sizeof(why))) {
            s->state[i] = PGC_INVALID;
            pgc_tell(pc, s, &s->bindings[i], "error", why);
        }
    }
    pgc_ask_status(pc, s);
}

void pgchanges_recheck(pgchanges *pc, void *owner)
{
    for (pgc_sub *s = pc ? pc->subs : NULL; s; s = s->next)
        if (s->owner == owner) {
            pgc_ask_status(pc, s);
            return;
        }
}

void pgchanges_unsubscribe(pgchanges *pc, void *owner)
{
    if (!pc)
        return;
    for (pgc_sub **pp = &pc->subs; *pp; pp = &(*pp)->next) {
        if ((*pp)->owner == owner) {
            pgc_sub *s = *pp;
            *pp = s->next;
            pgc_sub_free(s);
            return;
        }
    }
}

/* Does s's binding i want change c (row: the row its filters see)? */
static bool pgc_binding_matches(const pgc_sub *s, size_t i, const pgc_change *c, json_object *row)
{
    const pgc_binding *b = &s->bindings[i];
    return s->state[i] == PGC_LIVE && pgc_binding_wants(b, c->schema, c->table, c->event) &&
           pgc_filter_passes(b, row);
}

/* The ids of the bindings in matched that ask for the same columns as
 * binding first, as a JSON list; they are marked done. */
static const char *pgc_group_ids(arena *a, const pgc_sub *s, size_t first, bool *matched)
{
    json_object *ids = json_arena_owned(a, json_object_new_array());
    for (size_t i = first; i < s->count; i++)
        if (matched[i] && pgc_same_select(&s->bindings[first], &s->bindings[i])) {
            json_object_array_add(ids, json_object_new_int64(s->bindings[i].id));
            matched[i] = false;
        }
    return json_text(a, ids);
}

/* Does s have a binding for change c? Bindings whose status is being asked
 * count: that query was queued on the RLS connection before this batch's
 * checks, so it is answered first, and a change committed after the join's
 * ok reply (or a new token) is never missed. */
static bool pgc_sub_wants(const pgc_sub *s, const pgc_change *c)
{
    for (size_t i = 0; i < s->count; i++)
        if ((s->state[i] == PGC_LIVE || s->state[i] == PGC_PENDING ||
             (s->state[i] == PGC_REFUSED && s->pending_status > 0)) &&
            pgc_binding_wants(&s->bindings[i], c->schema, c->table, c->event))
            return true;
    return false;
}

/* ------------------------------------------------------------ delivery */

/* old_record as delivered: the key columns unless REPLICA IDENTITY FULL. */
static json_object *pgc_old_record(json_object *old, json_object *meta)
{
    json_object *full, *keys;
    if (!old || !json_object_is_type(old, json_type_object))
        return json_object_new_object();
    if (json_object_object_get_ex(meta, "full", &full) && json_object_get_boolean(full))
        return json_object_get(old);
    json_object *out = json_object_new_object(), *v;
    if (json_object_object_get_ex(meta, "keys", &keys))
        for (size_t i = 0; i < json_object_array_length(keys); i++) {
            const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
            if (json_object_object_get_ex(old, k, &v))
                json_object_object_add(out, k, json_object_get(v));
        }
    return out;
}

static bool pgc_has_keys(json_object *meta)
{
    json_object *full, *keys;
    return (json_object_object_get_ex(meta, "full", &full) && json_object_get_boolean(full)) ||
           (json_object_object_get_ex(meta, "keys", &keys) && json_object_array_length(keys) > 0);
}

/* Is column name part of the table's key (always sent, whatever select says)? */
static bool pgc_is_key(json_object *meta, const char *name)
{
    json_object *keys;
    if (json_object_object_get_ex(meta, "keys", &keys))
        for (size_t i = 0; i < json_object_array_length(keys); i++)
            if (strcmp(json_object_get_string(json_object_array_get_idx(keys, i)), name) == 0)
                return true;
    return false;
}

static bool pgc_keeps(const pgc_binding *sel, json_object *meta, const char *name)
{
    return pgc_binding_selects(sel, name) || pgc_is_key(meta, name);
}

/* A copy of record (taken) with the columns sel asks for; cut: only values
 * whose JSON is at most PGC_CUT_VALUE_BYTES long (a row over the limit). */
static json_object *pgc_narrow(json_object *record, const pgc_binding *sel, json_object *meta,
                               bool cut)
{
    if (sel->nselect == 0 && !cut)
        return record;
    json_object *out = json_object_new_object();
    json_object_object_foreach(record, name, value)
    {
        if (!pgc_keeps(sel, meta, name))
            continue;
        if (cut && strlen(json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN)) >
                       PGC_CUT_VALUE_BYTES)
            continue;
        json_object_object_add(out, name, json_object_get(value));
    }
    json_object_put(record);
    return out;
}

static json_object *pgc_columns(json_object *meta, const pgc_binding *sel)
{
    json_object *all, *name;
    if (!json_object_object_get_ex(meta, "columns", &all))
        return json_object_new_array();
    if (sel->nselect == 0)
        return json_object_get(all);
    json_object *out = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *col = json_object_array_get_idx(all, i);
        if (json_object_object_get_ex(col, "name", &name) &&
            pgc_keeps(sel, meta, json_object_get_string(name)))
            json_object_array_add(out, json_object_get(col));
    }
    return out;
}

static json_object *pgc_record(json_object *row)
{
    json_object *v;
    return json_object_object_get_ex(row, "record", &v) && json_object_is_type(v, json_type_object)
               ? json_object_get(v)
               : json_object_new_object();
}

/* Is the row's JSON (new and old) over PGC_MAX_RECORD_BYTES? */
static bool pgc_oversized(json_object *row)
{
    return strlen(json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN)) >
           PGC_MAX_RECORD_BYTES;
}

/* The payload's data: {schema, table, commit_timestamp, type, columns,
 * record, old_record, errors}, with the columns sel asks for (the key
 * columns always). A row over 1 MB (cut, pgc_oversized) keeps only its
 * values of at most 64 bytes and says "Error 413: Payload Too Large", as
 * Supabase. */
static const char *pgc_data_text(arena *a, const pgc_change *c, json_object *row, json_object *meta,
                                 const pgc_binding *sel, bool cut)
{
    json_object *d = json_arena_owned(a, json_object_new_object()), *v;
    json_object *errors = json_object_new_array();
    if (cut)
        json_object_array_add(errors, json_object_new_string("Error 413: Payload Too Large"));
    json_object_object_add(d, "schema", json_object_new_string(c->schema));
    json_object_object_add(d, "table", json_object_new_string(c->table));
    json_object_object_add(d, "commit_timestamp", json_object_new_string(c->ts));
    json_object_object_add(d, "type", json_object_new_string(c->type));
    json_object_object_add(d, "columns", pgc_columns(meta, sel));
    if (c->event != PGC_DELETE)
        json_object_object_add(d, "record", pgc_narrow(pgc_record(row), sel, meta, cut));
    if (c->event != PGC_INSERT) {
        v = NULL;
        json_object_object_get_ex(row, "old_record", &v);
        json_object_object_add(d, "old_record",
                               pgc_narrow(pgc_old_record(v, meta), sel, meta, cut));
        if (!pgc_has_keys(meta))
            json_object_array_add(errors,
                                  json_object_new_string("Error 400: Bad Request, no primary key"));
    }
    if (json_object_array_length(errors) == 0) {
        json_object_put(errors);
        errors = NULL;
    }
    json_object_object_add(d, "errors", errors);
    return json_text(a, d);
}

/* Sends change c (visible as row) to the channels with claim key: one
 * message per channel and distinct select list among its matching
 * bindings, naming those bindings. */
static void pgc_deliver_change(pgchanges *pc, const char *key, const pgc_change *c,
                               json_object *row, json_object *meta)
{
    arena *a = pc->ctx->work;
    json_object *filter_row = NULL;
    json_object_object_get_ex(row, c->event == PGC_DELETE ? "old_record" : "record", &filter_row);
    const char *all_columns = NULL; /* the data without a select list, made once */
    int cut = -1;                   /* is the row over the limit? asked once */
    for (pgc_sub *s = pc->subs; s; s = s->next) {
        if (strcmp(pgc_claim_key(a, s), key) != 0)
            continue;
        bool *matched = arena_alloc(a, s->count ? s->count : 1);
        for (size_t i = 0; i < s->count; i++)
            matched[i] = pgc_binding_matches(s, i, c, filter_row);
        for (size_t i = 0; i < s->count; i++) {
            if (!matched[i])
                continue;
            const pgc_binding *sel = &s->bindings[i];
            const char *ids = pgc_group_ids(a, s, i, matched);
            if (cut < 0)
                cut = pgc_oversized(row);
            const char *data =
                sel->nselect ? pgc_data_text(a, c, row, meta, sel, cut) : all_columns;
            if (!data)
                data = all_columns = pgc_data_text(a, c, row, meta, sel, cut);
            s->deliver(s->owner, "postgres_changes",
                       arena_printf(a, "{\"ids\":%s,\"data\":%s}", ids, data));
        }
    }
}

/* The check could not run: the channels concerned hear it. */
static void pgc_check_failed(pgchanges *pc, const pgc_batch *b, const char *key)
{
    arena *a = pc->ctx->work;
    for (pgc_sub *s = pc->subs; s; s = s->next) {
        if (strcmp(pgc_claim_key(a, s), key) != 0)
            continue;
        for (size_t i = 0; i < b->count; i++)
            if (pgc_sub_wants(s, &b->changes[i])) {
                pgc_tell(pc, s, NULL, "error",
                         "changes could not be checked against row-level security (database "
                         "connection lost) and were not delivered: fetch again");
                break;
            }
    }
}

static void pgc_on_visible(void *data, PGresult *res)
{
    pgc_job *j = data;
    pgchanges *pc = j->pc;
    arena *a = pc->ctx->work;
    json_object *r = NULL, *rows, *tables;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        r = json_arena_owned(a, json_tokener_parse(PQgetvalue(res, 0, 0)));
    else if (res)
        log_event("pgchanges: visible_for: %s", PQresultErrorMessage(res));
    if (!r || !json_object_object_get_ex(r, "rows", &rows) ||
        !json_object_object_get_ex(r, "tables", &tables)) {
        pgc_check_failed(pc, j->batch, j->claim_key);
        pgc_job_free(j);
        return;
    }
    json_object *by_id = json_arena_owned(a, json_object_new_object()), *id;
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *row = json_object_array_get_idx(rows, i);
        if (json_object_object_get_ex(row, "id", &id))
            json_object_object_add(by_id, json_object_get_string(id), json_object_get(row));
    }
    for (size_t i = 0; i < j->batch->count; i++) {
        const pgc_change *c = &j->batch->changes[i];
        json_object *row, *meta;
        if (json_object_object_get_ex(by_id, arena_printf(a, "%lld", c->id), &row) &&
            json_object_object_get_ex(tables, c->relid, &meta))
            pgc_deliver_change(pc, j->claim_key, c, row, meta);
    }
    pgc_job_free(j);
}

/* Queues one claim set's check of the changes its channels want. */
static void pgc_check(pgchanges *pc, pgc_batch *b, const char *key, const bool *wanted)
{
    arena *a = pc->ctx->work;
    size_t cap = b->count * 21 + 3, len = 0;
    char *ids = arena_alloc(a, cap);
    ids[len++] = '{';
    for (size_t i = 0; i < b->count; i++)
        if (wanted[i])
            len += (size_t)snprintf(ids + len, cap - len, "%s%lld", len > 1 ? "," : "",
                                    b->changes[i].id);
    snprintf(ids + len, cap - len, "}");
    const char *nl = strchr(key, '\n');
    const char *params[] = {arena_strndup(a, key, (size_t)(nl - key)), nl + 1, ids};
    pgc_job *j = pgc_job_new(pc);
    j->batch = b;
    b->refs++;
    j->claim_key = strdup(key);
    if (!rt_pg_query(pc->check, "select pgchanges.visible_for($1, $2, $3::bigint[])", 3, params,
                     pgc_on_visible, j))
        pgc_on_visible(j, NULL);
}

/* One check per distinct claim set among the channels that want some
 * change of the batch. */
static void pgc_dispatch(pgchanges *pc, pgc_batch *b)
{
    arena *a = pc->ctx->work;
    size_t nkeys = 0, cap = 0;
    const char **keys = NULL;
    bool **wanted = NULL;
    for (pgc_sub *s = pc->subs; s; s = s->next) {
        const char *k = pgc_claim_key(a, s);
        size_t ki = 0;
        while (ki < nkeys && strcmp(keys[ki], k) != 0)
            ki++;
        for (size_t i = 0; i < b->count; i++) {
            if (!pgc_sub_wants(s, &b->changes[i]))
                continue;
            if (ki == nkeys) {
                if (nkeys == cap) {
                    cap = cap ? cap * 2 : 8;
                    const char **nk = arena_alloc(a, cap * sizeof(*nk));
                    bool **nw = arena_alloc(a, cap * sizeof(*nw));
                    if (nkeys) {
                        memcpy(nk, keys, nkeys * sizeof(*nk));
                        memcpy(nw, wanted, nkeys * sizeof(*nw));
                    }
                    keys = nk;
                    wanted = nw;
                }
                keys[nkeys] = k;
                wanted[nkeys] = arena_alloc(a, b->count * sizeof(bool));
                memset(wanted[nkeys], 0, b->count * sizeof(bool));
                nkeys++;
            }
            wanted[ki][i] = true;
        }
    }
    for (size_t k = 0; k < nkeys; k++)
        pgc_check(pc, b, keys[k], wanted[k]);
}

/* ------------------------------------------------------------ reading */

static void pgc_read(pgchanges *pc);

/* The cursor moved to commit seq: the database may delete what every
 * daemon has delivered (queued after this batch's checks). */
static void pgc_advance(pgchanges *pc, long long seq)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", seq);
    pc->advanced = seq;
    const char *params[] = {pc->reader, s};
    rt_pg_query(pc->check, "select pgchanges.advance($1, $2)", 2, params, pgc_ignore, NULL);
}

static pgc_batch *pgc_batch_of(PGresult *res)
{
    int n = PQntuples(res);
    pgc_batch *b = calloc(1, sizeof(*b));
    b->changes = calloc((size_t)n + 1, sizeof(*b->changes));
    b->count = (size_t)n;
    b->refs = 1;
    for (int i = 0; i < n; i++) {
        pgc_change *c = &b->changes[i];
        c->seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        c->id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        c->relid = strdup(PQgetvalue(res, i, 2));
        c->schema = strdup(PQgetvalue(res, i, 3));
        c->table = strdup(PQgetvalue(res, i, 4));
        c->type = strdup(PQgetvalue(res, i, 5));
        c->ts = strdup(PQgetvalue(res, i, 6));
        c->event = pgc_event_mask(c->type);
    }
    return b;
}

static void pgc_on_read(void *data, PGresult *res)
{
    pgchanges *pc = data;
    pc->reading = false;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        if (res)
            log_event("pgchanges: read: %s", PQresultErrorMessage(res));
        return; /* the connection comes back and reads again */
    }
    int n = PQntuples(res);
    if (n > 0) {
        pgc_batch *b = pgc_batch_of(res);
        const pgc_change *last = &b->changes[n - 1];
        pc->seq = last->seq;
        pc->id = last->id;
        pgc_dispatch(pc, b);
        pgc_batch_release(b);
    }
    if (n == pc->batch_size) { /* it may end inside a transaction: not done yet */
        pgc_advance(pc, pc->seq - 1);
        pgc_read(pc);
        return;
    }
    if (n > 0 || pc->advanced < pc->seq) /* a commit is atomic: all of it was read */
        pgc_advance(pc, pc->seq);
    if (pc->again)
        pgc_read(pc);
}

static void pgc_read(pgchanges *pc)
{
    if (!pc->attached)
        return;
    if (pc->reading) {
        pc->again = true;
        return;
    }
    char seq[24], id[24], limit[24];
    snprintf(seq, sizeof(seq), "%lld", pc->seq);
    snprintf(id, sizeof(id), "%lld", pc->id);
    snprintf(limit, sizeof(limit), "%ld", pc->batch_size);
    const char *params[] = {seq, id, limit};
    pc->again = false;
    pc->reading = rt_pg_query(pc->listen,
                              "select seq, id, relid, schema_name, table_name, type, "
                              "commit_timestamp from pgchanges.read($1, $2, $3)",
                              3, params, pgc_on_read, pc);
}

/* Every channel hears that the database connection came back. */
static void pgc_tell_reconnected(pgchanges *pc)
{
    for (pgc_sub *s = pc->subs; s; s = s->next)
        pgc_tell(pc, s, NULL, "ok",
                 "Reconnected to PostgreSQL after the connection was lost: changes committed "
                 "meanwhile are delivered now");
}

static void pgc_on_attach(void *data, PGresult *res)
{
    pgchanges *pc = data;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        if (res)
            log_event("pgchanges: attach: %s (is migration 0012 applied?)",
                      PQresultErrorMessage(res));
        return;
    }
    if (!pc->attached) { /* first start: from the last commit on */
        pc->seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        pc->id = INT64_MAX;
        pc->advanced = pc->seq;
        pc->attached = true;
    }
    if (pc->reconnected) {
        pc->reconnected = false;
        pgc_tell_reconnected(pc);
    }
    pgc_read(pc);
}

static void pgc_on_listen_state(void *data, bool up, unsigned long generation)
{
    pgchanges *pc = data;
    if (!up) {
        pc->reading = false;
        return;
    }
    pc->reconnected = generation > 1;
    rt_pg_query(pc->listen, "listen pgchanges", 0, NULL, pgc_ignore, NULL);
    char from[24];
    snprintf(from, sizeof(from), "%lld", pc->seq > 0 ? pc->seq - 1 : 0);
    const char *params[] = {pc->reader, pc->attached ? from : NULL};
    rt_pg_query(pc->listen, "select pgchanges.attach($1, $2)", 2, params, pgc_on_attach, pc);
}

static void pgc_on_notify(void *data, const char *channel, const char *payload)
{
    (void)payload;
    if (strcmp(channel, "pgchanges") == 0)
        pgc_read(data);
}

/* Now and then: read (nothing is lost if a notification was) and tell the
 * database this reader is alive. */
static long pgc_poll(ae_loop *loop, long long id, void *data)
{
    pgchanges *pc = data;
    (void)loop;
    (void)id;
    if (pc->attached && rt_pg_up(pc->check)) {
        pgc_advance(pc, pc->advanced); /* keeps this reader alive */
        pgc_read(pc);
    }
    return PGC_POLL_MS;
}

pgchanges *pgchanges_new(rt_context *ctx, ae_loop *loop, livequery *live, long batch)
{
    pgchanges *pc = calloc(1, sizeof(*pc));
    if (!pc)
        return NULL;
    pc->ctx = ctx;
    pc->loop = loop;
    rt_pg_callbacks also = {.notify = pgc_on_notify, .state = pgc_on_listen_state, .data = pc};
    livequery_share(live, &also, &pc->listen, &pc->check);
    pc->batch_size = batch > 0 ? batch : 500;
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    /* a restarted daemon takes its predecessor's place among the readers */
    snprintf(pc->reader, sizeof(pc->reader), "%s %s", host, ctx->settings.addr);
    pc->timer = ae_timer_add(loop, PGC_POLL_MS, pgc_poll, pc);
    return pc;
}

void pgchanges_free(pgchanges *pc)
{
    if (!pc)
        return;
    if (pc->timer)
        ae_timer_del(pc->loop, pc->timer);
    while (pc->jobs)
        pgc_job_free(pc->jobs);
    while (pc->subs) {
        pgc_sub *s = pc->subs;
        pc->subs = s->next;
        pgc_sub_free(s);
    }
    free(pc);
}
