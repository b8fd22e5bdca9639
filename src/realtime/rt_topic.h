/* Topics: named groups of members (one member per client per joined
 * channel) and the presence entries of each topic. Used by both protocols
 * (Phoenix topics live under "phx:", /ws channels under "ws:"), so the
 * registry knows members only as opaque owners with a deliver callback. */
#ifndef PGSTACK_RT_TOPIC_H
#define PGSTACK_RT_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rt_topic rt_topic;
typedef struct rt_topics rt_topics;

typedef struct rt_member {
    rt_topic *topic;
    struct rt_member *prev, *next;
    void *owner; /* the protocol's channel */
} rt_member;

/* One client's presence in a topic: a key (Phoenix presence key or /ws
 * client id), an opaque ref, and the state as JSON text. */
typedef struct rt_presence {
    char *key;
    char *ref;
    char *state_json;
    rt_member *member; /* NULL for an entry of another daemon */
    char *origin;      /* that daemon's id (NULL for ours) */
    struct rt_presence *next;
} rt_presence;

rt_topics *rt_topics_new(void);
void rt_topics_free(rt_topics *t);

rt_topic *rt_topic_find(rt_topics *t, const char *name);
/* Adds m to the topic name (created when missing). */
void rt_topic_join(rt_topics *t, const char *name, rt_member *m, void *owner);
/* Removes m (and its presence) from its topic; frees an empty topic. */
void rt_topic_leave(rt_topics *t, rt_member *m);

const char *rt_topic_name(const rt_topic *topic);
rt_member *rt_topic_members(rt_topic *topic);
size_t rt_topic_count(const rt_topics *t);
size_t rt_topic_member_count(const rt_topic *topic);

/* Sets m's presence (replacing its previous one, returned through *old
 * and owned by the caller, free with rt_presence_free). */
rt_presence *rt_presence_set(rt_topic *topic, rt_member *m, const char *key, const char *ref,
                             const char *state_json, rt_presence **old);
/* Removes m's presence; returned to the caller (NULL when it had none). */
rt_presence *rt_presence_take(rt_topic *topic, rt_member *m);
rt_presence *rt_presence_list(rt_topic *topic);

/* The topic name, created when missing (for entries of other daemons). */
rt_topic *rt_topic_get(rt_topics *t, const char *name);
/* Frees the topic when it has neither members nor presence. */
void rt_topic_release_if_unused(rt_topics *t, rt_topic *topic);
/* Calls fn for every topic (fn must not free topics). */
void rt_topics_each(rt_topics *t, void (*fn)(rt_topic *topic, void *data), void *data);

/* Entries of other daemons, identified by (origin, ref): put replaces, take
 * removes and returns (the caller frees). */
rt_presence *rt_presence_put_remote(rt_topic *topic, const char *origin, const char *key,
                                    const char *ref, const char *state_json);
rt_presence *rt_presence_take_remote(rt_topic *topic, const char *origin, const char *ref);
void rt_presence_free(rt_presence *p);

#endif
