/* The event loop: file events, timers and the before-sleep hook; see ae.h.
 * Timers are a short unsorted list (the daemon keeps a handful: the
 * connection sweep, the database reconnect), as in Redis. */
#include "realtime/ae.h"

#include "realtime/ae_backend.h"

#include <stdlib.h>
#include <time.h>

typedef struct ae_file {
    int mask;
    ae_file_proc *proc;
    void *data;
} ae_file;

typedef struct ae_timer {
    long long id;
    long long when_ms;
    ae_timer_proc *proc;
    void *data;
    bool deleted;
    struct ae_timer *next;
} ae_timer;

struct ae_loop {
    int setsize;
    ae_file *files;
    ae_fired *fired;
    ae_backend *backend;
    ae_timer *timers;
    long long next_timer_id;
    ae_before_sleep_proc *before_sleep;
    void *before_sleep_data;
    bool stop;
};

long long ae_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ae_loop *ae_loop_new(int setsize)
{
    ae_loop *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->setsize = setsize;
    l->files = calloc((size_t)setsize, sizeof(*l->files));
    l->fired = calloc((size_t)setsize, sizeof(*l->fired));
    l->backend = ae_backend_new(setsize);
    if (!l->files || !l->fired || !l->backend) {
        ae_loop_free(l);
        return NULL;
    }
    return l;
}

void ae_loop_free(ae_loop *l)
{
    if (!l)
        return;
    ae_timer *t = l->timers;
    while (t) {
        ae_timer *next = t->next;
        free(t);
        t = next;
    }
    ae_backend_free(l->backend);
    free(l->files);
    free(l->fired);
    free(l);
}

bool ae_file_add(ae_loop *l, int fd, int mask, ae_file_proc *proc, void *data)
{
    if (fd < 0 || fd >= l->setsize)
        return false;
    ae_file *f = &l->files[fd];
    int new_mask = f->mask | mask;
    if (new_mask != f->mask && ae_backend_set(l->backend, fd, f->mask, new_mask) != 0)
        return false;
    f->mask = new_mask;
    f->proc = proc;
    f->data = data;
    return true;
}

void ae_file_del(ae_loop *l, int fd, int mask)
{
    if (fd < 0 || fd >= l->setsize)
        return;
    ae_file *f = &l->files[fd];
    int new_mask = f->mask & ~mask;
    if (new_mask == f->mask)
        return;
    ae_backend_set(l->backend, fd, f->mask, new_mask);
    f->mask = new_mask;
}

int ae_file_mask(const ae_loop *l, int fd)
{
    return fd >= 0 && fd < l->setsize ? l->files[fd].mask : AE_NONE;
}

long long ae_timer_add(ae_loop *l, long ms, ae_timer_proc *proc, void *data)
{
    ae_timer *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    t->id = ++l->next_timer_id;
    t->when_ms = ae_now_ms() + ms;
    t->proc = proc;
    t->data = data;
    t->next = l->timers;
    l->timers = t;
    return t->id;
}

void ae_timer_del(ae_loop *l, long long id)
{
    for (ae_timer *t = l->timers; t; t = t->next)
        if (t->id == id)
            t->deleted = true;
}

void ae_set_before_sleep(ae_loop *l, ae_before_sleep_proc *proc, void *data)
{
    l->before_sleep = proc;
    l->before_sleep_data = data;
}

void ae_stop(ae_loop *l)
{
    l->stop = true;
}

/* Milliseconds until the nearest timer (-1: none). */
static long ae_next_timeout(const ae_loop *l)
{
    long long now = ae_now_ms(), best = -1;
    for (const ae_timer *t = l->timers; t; t = t->next)
        if (!t->deleted && (best < 0 || t->when_ms < best))
            best = t->when_ms;
    if (best < 0)
        return -1;
    return best <= now ? 0 : (long)(best - now);
}

/* Runs the timers that are due, then frees the deleted ones. */
static void ae_run_timers(ae_loop *l)
{
    long long now = ae_now_ms();
    for (ae_timer *t = l->timers; t; t = t->next) {
        if (t->deleted || t->when_ms > now)
            continue;
        long next = t->proc(l, t->id, t->data);
        if (next == AE_TIMER_DONE)
            t->deleted = true;
        else
            t->when_ms = ae_now_ms() + next;
    }
    ae_timer **pp = &l->timers;
    while (*pp) {
        ae_timer *t = *pp;
        if (t->deleted) {
            *pp = t->next;
            free(t);
        } else {
            pp = &t->next;
        }
    }
}

static void ae_process_events(ae_loop *l)
{
    int n = ae_backend_poll(l->backend, ae_next_timeout(l), l->fired, l->setsize);
    for (int i = 0; i < n; i++) {
        int fd = l->fired[i].fd;
        ae_file *f = &l->files[fd];
        int mask = l->fired[i].mask & f->mask;
        if (mask && f->proc)
            f->proc(l, fd, f->data, mask);
    }
    ae_run_timers(l);
}

void ae_run(ae_loop *l)
{
    l->stop = false;
    while (!l->stop) {
        if (l->before_sleep)
            l->before_sleep(l, l->before_sleep_data);
        ae_process_events(l);
    }
}
