/* REST broadcast to private topics: every private message's topic is
 * checked as the caller (INSERT on realtime.messages with extension
 * 'broadcast', phx_authz.h); when every answer is in, all messages are sent
 * (202) or none (403 naming the first refused topic, 503 when a check could
 * not run). Each distinct topic is checked once; more than 100 distinct
 * private topics in one request → 422. The connection may go away meanwhile (phx_rest_cancel): the
 * answers are then dropped. See phx_rest.h. */
#include "realtime/phoenix.h"
#include "realtime/phx_authz.h"
#include "realtime/phx_rest.h"

#include <stdlib.h>
#include <string.h>

#define PHX_REST_MAX_PRIVATE_TOPICS 100

struct phx_rest_wait {
    rt_context *ctx;
    phx_rest_done_fn *done; /* NULL once cancelled */
    void *data;
    phx_rest_msg *msgs; /* deep copies */
    size_t n;
    size_t outstanding; /* checks not answered yet */
    int status;         /* 202 until a check refuses or fails */
    char *error;
};

/* One check's answer, for message i. */
typedef struct phx_rest_check {
    phx_rest_wait *w;
    size_t i;
} phx_rest_check;

static void phx_rest_wait_free(phx_rest_wait *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free((char *)w->msgs[i].topic);
        free((char *)w->msgs[i].event);
        free((uint8_t *)w->msgs[i].payload);
    }
    free(w->msgs);
    free(w->error);
    free(w);
}

static void phx_rest_refuse(phx_rest_wait *w, int status, const char *error)
{
    if (w->status != 202)
        return; /* the first refusal is the one reported */
    w->status = status;
    w->error = strdup(error);
}

static void phx_rest_finish(phx_rest_wait *w)
{
    if (w->done && w->status == 202) {
        for (size_t i = 0; i < w->n; i++)
            phoenix_broadcast(w->ctx, w->ctx->work, w->msgs[i].topic, w->msgs[i].priv,
                              w->msgs[i].event, w->msgs[i].encoding, w->msgs[i].payload,
                              w->msgs[i].len);
    }
    if (w->done)
        w->done(w->data, (phx_rest_result){w->status, w->error});
    phx_rest_wait_free(w);
}

static void phx_rest_checked(void *data, bool ok, unsigned granted)
{
    phx_rest_check *k = data;
    phx_rest_wait *w = k->w;
    const char *topic = w->msgs[k->i].topic + strlen("realtime:");
    free(k);
    if (!w->done) { /* cancelled: only the count matters */
        if (--w->outstanding == 0)
            phx_rest_wait_free(w);
        return;
    }
    if (!ok) {
        phx_rest_refuse(w, 503, "the permissions of a private topic could not be checked");
    } else if (!(granted & PHX_AUTHZ_WRITE_BROADCAST)) {
        phx_rest_refuse(w, 403,
                        arena_printf(w->ctx->work,
                                     "Unauthorized: You do not have permissions to write to "
                                     "this Channel topic: %s",
                                     topic));
    }
    if (--w->outstanding == 0)
        phx_rest_finish(w);
}

static phx_rest_wait *phx_rest_wait_new(rt_context *ctx, phx_rest_caller *who,
                                        const phx_rest_msg *msgs, size_t n)
{
    phx_rest_wait *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    *w = (phx_rest_wait){.ctx = ctx, .done = who->done, .data = who->data, .status = 202};
    w->msgs = calloc(n, sizeof(*w->msgs));
    if (!w->msgs) {
        free(w);
        return NULL;
    }
    w->n = n;
    for (size_t i = 0; i < n; i++) {
        w->msgs[i] = msgs[i];
        w->msgs[i].topic = strdup(msgs[i].topic);
        w->msgs[i].event = strdup(msgs[i].event);
        uint8_t *p = malloc(msgs[i].len + 1);
        if (p)
            memcpy(p, msgs[i].payload, msgs[i].len);
        w->msgs[i].payload = p;
    }
    return w;
}

/* Whether message i's private topic was met earlier (one check per topic). */
static bool phx_rest_seen(const phx_rest_msg *msgs, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (msgs[j].priv && strcmp(msgs[j].topic, msgs[i].topic) == 0)
            return true;
    return false;
}

phx_rest_result phx_rest_private_start(rt_context *ctx, phx_rest_caller *who,
                                       const phx_rest_msg *msgs, size_t n)
{
    size_t topics = 0;
    for (size_t i = 0; i < n; i++)
        if (msgs[i].priv && !phx_rest_seen(msgs, i) && ++topics > PHX_REST_MAX_PRIVATE_TOPICS)
            return (phx_rest_result){422, "at most 100 private topics in one request"};
    phx_rest_wait *w = phx_rest_wait_new(ctx, who, msgs, n);
    if (!w)
        return (phx_rest_result){503, "out of memory"};
    w->outstanding = 1; /* held until every check is queued */
    for (size_t i = 0; i < n; i++) {
        if (!msgs[i].priv || phx_rest_seen(msgs, i))
            continue;
        phx_rest_check *k = malloc(sizeof(*k));
        *k = (phx_rest_check){w, i};
        if (!phx_authz_check(ctx->authz, msgs[i].topic + strlen("realtime:"), who->auth,
                             phx_rest_checked, k)) {
            free(k);
            phx_rest_refuse(w, 503, "private topics need the database, which is unavailable");
            break;
        }
        w->outstanding++;
    }
    if (--w->outstanding == 0) { /* nothing was queued */
        phx_rest_result r = {w->status, w->status == 503 ? "private topics need the database, "
                                                           "which is unavailable"
                                                         : NULL};
        phx_rest_wait_free(w);
        return r;
    }
    who->wait = w;
    return (phx_rest_result){0, NULL};
}

void phx_rest_cancel(phx_rest_wait *w)
{
    if (w)
        w->done = NULL;
}
