/* Topics and presence entries; see rt_topic.h. A chained hash table keyed
 * by topic name; members and presence entries are lists per topic. */
#include "realtime/rt_topic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rt_topic {
    char *name;
    rt_member *members;
    rt_presence *presence;
    size_t member_count;
    rt_topic *next_in_bucket;
};

struct rt_topics {
    rt_topic **buckets;
    size_t bucket_count;
    size_t count;
};

static uint64_t rt_topic_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

rt_topics *rt_topics_new(void)
{
    rt_topics *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->bucket_count = 4096;
    t->buckets = calloc(t->bucket_count, sizeof(*t->buckets));
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    return t;
}

void rt_topics_free(rt_topics *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->bucket_count; i++) {
        rt_topic *tp = t->buckets[i];
        while (tp) {
            rt_topic *next = tp->next_in_bucket;
            while (tp->presence) {
                rt_presence *p = tp->presence;
                tp->presence = p->next;
                rt_presence_free(p);
            }
            free(tp->name);
            free(tp);
            tp = next;
        }
    }
    free(t->buckets);
    free(t);
}

rt_topic *rt_topic_find(rt_topics *t, const char *name)
{
    rt_topic *tp = t->buckets[rt_topic_hash(name) % t->bucket_count];
    while (tp && strcmp(tp->name, name) != 0)
        tp = tp->next_in_bucket;
    return tp;
}

static rt_topic *rt_topic_create(rt_topics *t, const char *name)
{
    rt_topic *tp = calloc(1, sizeof(*tp));
    tp->name = strdup(name);
    size_t b = rt_topic_hash(name) % t->bucket_count;
    tp->next_in_bucket = t->buckets[b];
    t->buckets[b] = tp;
    t->count++;
    return tp;
}

static void rt_topic_destroy(rt_topics *t, rt_topic *tp)
{
    rt_topic **pp = &t->buckets[rt_topic_hash(tp->name) % t->bucket_count];
    while (*pp != tp)
        pp = &(*pp)->next_in_bucket;
    *pp = tp->next_in_bucket;
    t->count--;
    free(tp->name);
    free(tp);
}

void rt_topic_join(rt_topics *t, const char *name, rt_member *m, void *owner)
{
    rt_topic *tp = rt_topic_find(t, name);
    if (!tp)
        tp = rt_topic_create(t, name);
    m->topic = tp;
    m->owner = owner;
    m->prev = NULL;
    m->next = tp->members;
    if (tp->members)
        tp->members->prev = m;
    tp->members = m;
    tp->member_count++;
}

void rt_topic_leave(rt_topics *t, rt_member *m)
{
    rt_topic *tp = m->topic;
    if (!tp)
        return;
    rt_presence_free(rt_presence_take(tp, m));
    if (m->prev)
        m->prev->next = m->next;
    else
        tp->members = m->next;
    if (m->next)
        m->next->prev = m->prev;
    m->topic = NULL;
    m->prev = m->next = NULL;
    if (--tp->member_count == 0 && !tp->presence)
        rt_topic_destroy(t, tp);
}

const char *rt_topic_name(const rt_topic *topic)
{
    return topic->name;
}

rt_member *rt_topic_members(rt_topic *topic)
{
    return topic->members;
}

size_t rt_topic_member_count(const rt_topic *topic)
{
    return topic->member_count;
}

size_t rt_topic_count(const rt_topics *t)
{
    return t->count;
}

rt_presence *rt_presence_take(rt_topic *topic, rt_member *m)
{
    for (rt_presence **pp = &topic->presence; *pp; pp = &(*pp)->next) {
        if ((*pp)->member == m) {
            rt_presence *p = *pp;
            *pp = p->next;
            p->next = NULL;
            return p;
        }
    }
    return NULL;
}

rt_presence *rt_presence_set(rt_topic *topic, rt_member *m, const char *key, const char *ref,
                             const char *state_json, rt_presence **old)
{
    *old = rt_presence_take(topic, m);
    rt_presence *p = calloc(1, sizeof(*p));
    p->key = strdup(key);
    p->ref = strdup(ref);
    p->state_json = strdup(state_json);
    p->member = m;
    p->next = topic->presence;
    topic->presence = p;
    return p;
}

rt_presence *rt_presence_list(rt_topic *topic)
{
    return topic->presence;
}

rt_topic *rt_topic_get(rt_topics *t, const char *name)
{
    rt_topic *tp = rt_topic_find(t, name);
    return tp ? tp : rt_topic_create(t, name);
}

void rt_topic_release_if_unused(rt_topics *t, rt_topic *topic)
{
    if (topic->member_count == 0 && !topic->presence)
        rt_topic_destroy(t, topic);
}

void rt_topics_each(rt_topics *t, void (*fn)(rt_topic *topic, void *data), void *data)
{
    for (size_t i = 0; i < t->bucket_count; i++)
        for (rt_topic *tp = t->buckets[i]; tp; tp = tp->next_in_bucket)
            fn(tp, data);
}

rt_presence *rt_presence_take_remote(rt_topic *topic, const char *origin, const char *ref)
{
    for (rt_presence **pp = &topic->presence; *pp; pp = &(*pp)->next) {
        rt_presence *p = *pp;
        if (p->origin && strcmp(p->origin, origin) == 0 && strcmp(p->ref, ref) == 0) {
            *pp = p->next;
            p->next = NULL;
            return p;
        }
    }
    return NULL;
}

rt_presence *rt_presence_put_remote(rt_topic *topic, const char *origin, const char *key,
                                    const char *ref, const char *state_json)
{
    rt_presence_free(rt_presence_take_remote(topic, origin, ref));
    rt_presence *p = calloc(1, sizeof(*p));
    p->key = strdup(key);
    p->ref = strdup(ref);
    p->state_json = strdup(state_json);
    p->origin = strdup(origin);
    p->next = topic->presence;
    topic->presence = p;
    return p;
}

void rt_presence_free(rt_presence *p)
{
    if (!p)
        return;
    free(p->origin);
    free(p->key);
    free(p->ref);
    free(p->state_json);
    free(p);
}
