/* Private channels (config.private: true, Supabase's Realtime
 * Authorization): a join waits for its check (phx_authz.c) and is then
 * linked with what the check granted (kept on the channel for every later
 * broadcast and presence message) or refused with Supabase's reason. A
 * fresh access_token on a private channel asks again: the channel keeps
 * the new answer, or is shut when it may no longer read. A
 * socket that closes while a check runs leaves its waits behind, marked
 * gone; their answers are dropped. See phx_internal.h. */
#include "realtime/phx_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct phx_private_wait {
    rt_client *client; /* NULL once the socket closed */
    phx_channel *ch;   /* not linked yet; NULL for a recheck */
    char *topic;       /* a recheck's channel, found again by topic and join_ref */
    char *join_ref, *ref;
    json_object *bindings; /* a reference of its own */
    phx_join_link_fn *link;
    struct phx_private_wait *next;
} phx_private_wait;

static char *phx_private_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void phx_private_wait_free(phx_private_wait *w)
{
    if (w->ch)
        phx_channel_free(w->ch);
    json_object_put(w->bindings);
    free(w->topic);
    free(w->join_ref);
    free(w->ref);
    free(w);
}

static void phx_private_unlink(phx_socket *s, phx_private_wait *w)
{
    for (phx_private_wait **pp = &s->waits; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            s->waiting--;
            return;
        }
    }
}

/* The reason of a refused join, or NULL when it may go on. */
static const char *phx_private_refusal(arena *a, const phx_channel *ch, bool ok, unsigned granted)
{
    if (!ok)
        return "Unauthorized: the permissions of this private channel could not be checked "
               "(database unavailable, or an RLS policy on realtime.messages failed)";
    if (!(granted & PHX_AUTHZ_READ))
        return arena_printf(a,
                            "Unauthorized: You do not have permissions to read from this "
                            "Channel topic: %s",
                            ch->topic + strlen("realtime:"));
    return NULL;
}

/* A recheck's answer: the channel (if it is still the one that asked) keeps
 * it, or is shut when it may no longer read. */
static void phx_private_rechecked(rt_client *c, phx_private_wait *w, bool ok, unsigned granted)
{
    phx_channel *ch = phx_channel_find(phx_socket_of(c), w->topic);
    if (!ch || strcmp(ch->join_ref, w->join_ref) != 0)
        return; /* left or joined again meanwhile */
    const char *why = phx_private_refusal(c->msg_arena, ch, ok, granted);
    if (why)
        phx_channel_shut(c, ch, why);
    else
        ch->authz = granted;
}

static void phx_private_checked(void *data, bool ok, unsigned granted)
{
    phx_private_wait *w = data;
    rt_client *c = w->client;
    if (!c) {
        phx_private_wait_free(w);
        return;
    }
    phx_socket *s = phx_socket_of(c);
    phx_private_unlink(s, w);
    if (w->topic) {
        phx_private_rechecked(c, w, ok, granted);
        phx_private_wait_free(w);
        return;
    }
    phx_msg m = {
        .join_ref = w->join_ref, .ref = w->ref, .topic = w->ch->topic, .event = "phx_join"};
    const char *why = phx_private_refusal(c->msg_arena, w->ch, ok, granted);
    if (why) {
        phx_reply_error(c, &m, why);
        phx_private_wait_free(w);
        return;
    }
    phx_channel *old = phx_channel_find(s, w->ch->topic);
    if (old) /* joined again while this check ran: the newer join wins */
        phx_channel_shut(c, old, "joined again on the same socket");
    phx_channel *ch = w->ch;
    w->ch = NULL;
    ch->authz = granted;
    m.topic = ch->topic;
    w->link(c, &m, ch, w->bindings);
    phx_private_wait_free(w);
}

void phx_private_join(rt_client *c, const phx_msg *m, phx_channel *ch, json_object *bindings,
                      phx_join_link_fn *link)
{
    phx_private_wait *w = calloc(1, sizeof(*w));
    if (!w) {
        phx_channel_free(ch);
        phx_reply_error(c, m, "out of memory");
        return;
    }
    *w = (phx_private_wait){.client = c,
                            .ch = ch,
                            .join_ref = phx_private_dup(m->join_ref),
                            .ref = phx_private_dup(m->ref),
                            .bindings = json_object_get(bindings),
                            .link = link};
    if (!phx_authz_check(c->ctx->authz, ch->topic + strlen("realtime:"), &ch->auth,
                         phx_private_checked, w)) {
        phx_private_wait_free(w);
        phx_reply_error(c, m,
                        "Unauthorized: private channels need the database, which is "
                        "unavailable");
        return;
    }
    phx_socket *s = phx_socket_of(c);
    w->next = s->waits;
    s->waits = w;
    s->waiting++;
}

void phx_private_recheck(rt_client *c, phx_channel *ch)
{
    if (phx_socket_of(c)->waiting >= (size_t)c->ctx->settings.max_channels) {
        phx_channel_shut(c, ch, "Unauthorized: too many permission checks at once");
        return;
    }
    phx_private_wait *w = calloc(1, sizeof(*w));
    if (!w)
        return;
    *w = (phx_private_wait){
        .client = c, .topic = strdup(ch->topic), .join_ref = phx_private_dup(ch->join_ref)};
    if (!phx_authz_check(c->ctx->authz, ch->topic + strlen("realtime:"), &ch->auth,
                         phx_private_checked, w)) {
        phx_private_wait_free(w);
        phx_channel_shut(c, ch,
                         "Unauthorized: the permissions of this private channel could not be "
                         "checked again (database unavailable)");
        return;
    }
    phx_socket *s = phx_socket_of(c);
    w->next = s->waits;
    s->waits = w;
    s->waiting++;
}

void phx_private_forget(phx_socket *s)
{
    while (s->waits) {
        phx_private_wait *w = s->waits;
        s->waits = w->next;
        w->client = NULL; /* freed when its answer arrives */
        w->next = NULL;
        s->waiting--;
    }
}
