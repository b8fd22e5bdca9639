/* Live queries in the daemon; see livequery.h. */
#include "realtime/livequery.h"

#include "core/json_text.h"
#include "realtime/rt_auth.h"
#include "realtime/rt_bus.h"
#include "realtime/rt_client.h"
#include "realtime/rt_pg.h"
#include "realtime/rt_topic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lq_query {
    char *query_id;
    char *audience_json; /* "" when none */
    long long seq;
} lq_query;

/* One message for one group of subscribers (same claims), in order. */
typedef struct lq_job {
    char *query_id;
    long long seq;
    char *claim_key; /* role "\n" claims */
    char *role, *claims;
    char *rows; /* to check with pgr.visible_for; NULL: send text as is */
    char *text;
    bool sent;
    struct lq_job *next;
} lq_job;

struct livequery {
    rt_context *ctx;
    rt_pg *listen, *check;
    lq_query *queries;
    size_t count;
    bool loaded;
    bool resync; /* after the registry reloads, tell every subscriber to re-fetch */
    lq_job *head, *tail;
    rt_pg_callbacks also; /* another user of the LISTEN connection */
};

#define LQ_TOPIC(a, id) arena_printf((a), "ws:%s", (id))

static void lq_pump(livequery *lq);

/* ------------------------------------------------------------- registry */

static void lq_registry_clear(livequery *lq)
{
    for (size_t i = 0; i < lq->count; i++) {
        free(lq->queries[i].query_id);
        free(lq->queries[i].audience_json);
    }
    free(lq->queries);
    lq->queries = NULL;
    lq->count = 0;
}

static lq_query *lq_find(livequery *lq, const char *query_id)
{
    for (size_t i = 0; i < lq->count; i++)
        if (strcmp(lq->queries[i].query_id, query_id) == 0)
            return &lq->queries[i];
    return NULL;
}

static const char *lq_claim_key(arena *a, const rt_client *c)
{
    return rt_auth_claim_key(a, &c->auth);
}

/* Sends text to the members of query_id's topic with claim_key (NULL:
 * every member). */
static void lq_send(livequery *lq, const char *query_id, const char *claim_key, const char *text)
{
    arena *a = lq->ctx->work;
    rt_topic *t = rt_topic_find(lq->ctx->topics, LQ_TOPIC(a, query_id));
    for (rt_member *m = t ? rt_topic_members(t) : NULL; m; m = m->next) {
        rt_client *c = m->owner;
        if (!claim_key || strcmp(lq_claim_key(a, c), claim_key) == 0)
            rt_client_send(c, false, text, strlen(text));
    }
}

static const char *lq_overflow(arena *a, const char *query_id, long long seq)
{
    json_object *o = json_arena_owned(a, json_object_new_object());
    json_object_object_add(o, "type", json_object_new_string("overflow"));
    json_object_object_add(o, "query_id", json_object_new_string(query_id));
    json_object_object_add(o, "seq", json_object_new_int64(seq));
    json_object_object_add(o, "fetch", json_object_new_boolean(1));
    return json_text(a, o);
}

/* Every subscriber of every live query re-fetches (after a reconnect). */
static void lq_resync_all(livequery *lq)
{
    for (size_t i = 0; i < lq->count; i++)
        lq_send(lq, lq->queries[i].query_id, NULL,
                lq_overflow(lq->ctx->work, lq->queries[i].query_id, lq->queries[i].seq));
}

static void lq_on_registry(void *data, PGresult *res)
{
    livequery *lq = data;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        if (res)
            fprintf(stderr, "pgstack-realtime: cannot read pgr.subscriptions: %s",
                    PQresultErrorMessage(res));
        return;
    }
    lq_registry_clear(lq);
    int n = PQntuples(res);
    lq->queries = calloc((size_t)n + 1, sizeof(*lq->queries));
    for (int i = 0; i < n; i++) {
        lq->queries[i].query_id = strdup(PQgetvalue(res, i, 0));
        lq->queries[i].audience_json = strdup(PQgetvalue(res, i, 1));
        lq->queries[i].seq = strtoll(PQgetvalue(res, i, 2), NULL, 10);
    }
    lq->count = (size_t)n;
    lq->loaded = true;
    if (lq->resync) {
        lq->resync = false;
        lq_resync_all(lq);
    }
}

static void lq_ignore(void *data, PGresult *res)
{
    (void)data;
    (void)res;
}

static void lq_load_registry(livequery *lq)
{
    rt_pg_query(lq->listen,
                "select query_id, coalesce(audience::text, ''), seq from pgr.subscriptions", 0,
                NULL, lq_on_registry, lq);
}

static void lq_on_listen_state(void *data, bool up, unsigned long generation)
{
    livequery *lq = data;
    if (!up) {
        if (lq->also.state)
            lq->also.state(lq->also.data, up, generation);
        return;
    }
    lq->resync = generation > 1; /* notifications may have been missed */
    rt_pg_query(lq->listen, "listen pgr", 0, NULL, lq_ignore, lq);
    rt_pg_query(lq->listen, "listen pgr_meta", 0, NULL, lq_ignore, lq);
    rt_pg_query(lq->listen, "listen " RT_BUS_CHANNEL, 0, NULL, lq_ignore, lq);
    lq_load_registry(lq);
    if (lq->also.state)
        lq->also.state(lq->also.data, up, generation);
    json_object *hello = json_arena_owned(lq->ctx->work, json_object_new_object());
    rt_bus_publish(lq->ctx, "hello", hello); /* the others announce their presence */
}

/* ---------------------------------------------------------- fan-out */

static void lq_job_push(livequery *lq, const char *query_id, long long seq, const char *key,
                        const char *rows, const char *text)
{
    lq_job *j = calloc(1, sizeof(*j));
    j->query_id = strdup(query_id);
    j->seq = seq;
    j->claim_key = strdup(key);
    const char *nl = strchr(key, '\n');
    j->role = strndup(key, (size_t)(nl - key));
    j->claims = strdup(nl + 1);
    j->rows = rows ? strdup(rows) : NULL;
    j->text = text ? strdup(text) : NULL;
    if (lq->tail)
        lq->tail->next = j;
    else
        lq->head = j;
    lq->tail = j;
}

static void lq_job_pop(livequery *lq)
{
    lq_job *j = lq->head;
    lq->head = j->next;
    if (!lq->head)
        lq->tail = NULL;
    free(j->query_id);
    free(j->claim_key);
    free(j->role);
    free(j->claims);
    free(j->rows);
    free(j->text);
    free(j);
}

static void lq_on_visible(void *data, PGresult *res)
{
    livequery *lq = data;
    lq_job *j = lq->head;
    arena *a = lq->ctx->work;
    const char *text;
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        json_object *qid = json_arena_owned(a, json_object_new_string(j->query_id));
        text = arena_printf(a, "{\"query_id\":%s,\"seq\":%lld,\"inserted\":%s,\"deleted\":[]}",
                            json_text(a, qid), j->seq, PQgetvalue(res, 0, 0));
    } else {
        text = lq_overflow(a, j->query_id, j->seq); /* cannot check: re-fetch */
    }
    lq_send(lq, j->query_id, j->claim_key, text);
    lq_job_pop(lq);
    lq_pump(lq);
}

/* Delivers jobs in order: messages as they are, rows after their check. */
static void lq_pump(livequery *lq)
{
    while (lq->head && !lq->head->sent) {
        lq_job *j = lq->head;
        if (!j->rows) {
            lq_send(lq, j->query_id, j->claim_key, j->text);
            lq_job_pop(lq);
            continue;
        }
        const char *params[] = {j->role, j->claims, j->query_id, j->rows};
        j->sent = rt_pg_query(lq->check, "select pgr.visible_for($1, $2, $3, $4::jsonb)", 4, params,
                              lq_on_visible, lq);
        if (!j->sent) { /* no connection for the check: re-fetch instead */
            lq_send(lq, j->query_id, j->claim_key, lq_overflow(lq->ctx->work, j->query_id, j->seq));
            lq_job_pop(lq);
        }
    }
}

/* The distinct claim sets among the subscribers of query_id. */
static size_t lq_claim_keys(livequery *lq, const char *query_id, const char ***out)
{
    arena *a = lq->ctx->work;
    rt_topic *t = rt_topic_find(lq->ctx->topics, LQ_TOPIC(a, query_id));
    size_t n = t ? rt_topic_member_count(t) : 0, count = 0;
    const char **keys = arena_alloc(a, (n + 1) * sizeof(char *));
    for (rt_member *m = t ? rt_topic_members(t) : NULL; m; m = m->next) {
        const char *k = lq_claim_key(a, m->owner);
        size_t i = 0;
        while (i < count && strcmp(keys[i], k) != 0)
            i++;
        if (i == count)
            keys[count++] = k;
    }
    *out = keys;
    return count;
}

static bool lq_is_empty_array(json_object *v)
{
    return !v || !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0;
}

/* One NOTIFY pgr: a delta, invalidated or overflow message. */
static void lq_on_change(livequery *lq, const char *payload)
{
    arena *a = lq->ctx->work;
    json_object *msg = json_parse_exact(payload, strlen(payload));
    if (!msg)
        return;
    json_arena_owned(a, msg);
    json_object *v, *ins = NULL, *del = NULL;
    const char *qid = json_object_object_get_ex(msg, "query_id", &v) ? json_plain_string(v) : NULL;
    if (!qid)
        return;
    long long seq = json_object_object_get_ex(msg, "seq", &v) ? json_object_get_int64(v) : 0;
    lq_query *q = lq_find(lq, qid);
    if (q)
        q->seq = seq;
    bool delta = !json_object_object_get_ex(msg, "type", NULL);
    json_object_object_get_ex(msg, "inserted", &ins);
    json_object_object_get_ex(msg, "deleted", &del);
    const char **keys;
    size_t n = lq_claim_keys(lq, qid, &keys);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(keys[i], "service_role\n", 13) == 0 || !delta)
            lq_job_push(lq, qid, seq, keys[i], NULL, payload);
        else if (!lq_is_empty_array(del)) /* gone rows cannot be checked */
            lq_job_push(lq, qid, seq, keys[i], NULL, lq_overflow(a, qid, seq));
        else
            lq_job_push(lq, qid, seq, keys[i], json_text(a, ins), NULL);
    }
    lq_pump(lq);
}

static void lq_on_notify(void *data, const char *channel, const char *payload)
{
    livequery *lq = data;
    if (strcmp(channel, "pgr_meta") == 0)
        lq_load_registry(lq);
    else if (strcmp(channel, "pgr") == 0)
        lq_on_change(lq, payload);
    else if (strcmp(channel, RT_BUS_CHANNEL) == 0)
        rt_bus_receive(lq->ctx, payload);
    else if (lq->also.notify)
        lq->also.notify(lq->also.data, channel, payload);
}

/* ------------------------------------------------------------ public */

livequery *livequery_new(ae_loop *loop, rt_context *ctx, const char *database_url)
{
    livequery *lq = calloc(1, sizeof(*lq));
    if (!lq)
        return NULL;
    lq->ctx = ctx;
    rt_pg_callbacks listen_cb = {.notify = lq_on_notify, .state = lq_on_listen_state, .data = lq};
    rt_pg_callbacks check_cb = {.data = lq};
    lq->listen = rt_pg_new(loop, database_url, "pgstack-realtime listen", &listen_cb);
    lq->check = rt_pg_new(loop, database_url, "pgstack-realtime rls", &check_cb);
    return lq;
}

bool livequery_notify(void *data, const char *payload)
{
    livequery *lq = data;
    const char *params[] = {RT_BUS_CHANNEL, payload};
    return rt_pg_query(lq->listen, "select pg_notify($1, $2)", 2, params, lq_ignore, lq);
}

void livequery_share(livequery *lq, const rt_pg_callbacks *also, rt_pg **listen, rt_pg **check)
{
    lq->also = *also;
    *listen = lq->listen;
    *check = lq->check;
}

void livequery_start(livequery *lq)
{
    rt_pg_start(lq->listen);
    rt_pg_start(lq->check);
}

void livequery_free(livequery *lq)
{
    if (!lq)
        return;
    rt_pg_free(lq->listen);
    rt_pg_free(lq->check);
    while (lq->head)
        lq_job_pop(lq);
    lq_registry_clear(lq);
    free(lq);
}

lq_lookup livequery_lookup(livequery *lq, const char *query_id, const char **audience_json,
                           long long *seq)
{
    if (!lq || !lq->loaded)
        return LQ_UNAVAILABLE;
    lq_query *q = lq_find(lq, query_id);
    if (!q)
        return LQ_UNKNOWN;
    *audience_json = q->audience_json;
    *seq = q->seq;
    return LQ_FOUND;
}

/* jsonb @> for the shapes claims have: objects by key, arrays by element,
 * scalars by value. */
static bool lq_contains(json_object *have, json_object *want)
{
    json_type t = json_object_get_type(want);
    if (t == json_type_object) {
        if (!json_object_is_type(have, json_type_object))
            return false;
        json_object_object_foreach(want, key, wv)
        {
            json_object *hv;
            if (!json_object_object_get_ex(have, key, &hv) || !lq_contains(hv, wv))
                return false;
        }
        return true;
    }
    if (t == json_type_array) {
        if (!json_object_is_type(have, json_type_array))
            return false;
        for (size_t i = 0; i < json_object_array_length(want); i++) {
            bool found = false;
            json_object *w = json_object_array_get_idx(want, i);
            for (size_t k = 0; !found && k < json_object_array_length(have); k++)
                found = lq_contains(json_object_array_get_idx(have, k), w);
            if (!found)
                return false;
        }
        return true;
    }
    if (t == json_type_int || t == json_type_double)
        return (json_object_is_type(have, json_type_int) ||
                json_object_is_type(have, json_type_double)) &&
               json_object_get_double(have) == json_object_get_double(want);
    if (json_object_get_type(have) != t)
        return false;
    if (t == json_type_string)
        return strcmp(json_object_get_string(have), json_object_get_string(want)) == 0;
    if (t == json_type_boolean)
        return json_object_get_boolean(have) == json_object_get_boolean(want);
    return true; /* null */
}

bool livequery_audience_ok(const char *audience_json, json_object *claims, const char *role)
{
    if (!audience_json || !*audience_json)
        return true;
    if (!role || strcmp(role, "anon") == 0)
        return false;
    json_object *want = json_tokener_parse(audience_json);
    bool ok = want && lq_contains(claims, want);
    json_object_put(want);
    return ok;
}
