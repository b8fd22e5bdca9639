/* The write pass's thread pool; see rt_iothreads.h.
 *
 * Each pass: the caller fills the job (items, count, fn, the index at 0),
 * waits on the start barrier with every helper, takes chunks like them
 * until none is left, and waits on the end barrier. A barrier wait orders
 * memory both ways, so what the caller wrote before the pass is seen by the
 * helpers, and what they wrote is seen by the caller after it; the index
 * itself only needs to hand each chunk out once (relaxed atomics). Helpers block every signal (the
 * loop's thread handles SIGTERM) and sleep on the start barrier between passes, so an idle daemon
 * spends no CPU on them. */
#include "realtime/rt_iothreads.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define RT_IOTHREADS_AUTO_MAX 4
#define RT_IOTHREADS_MAX 64

typedef struct rt_iothread {
    rt_iothreads *pool;
    int index; /* 1..threads-1; the caller is 0 */
    pthread_t tid;
} rt_iothread;

struct rt_iothreads {
    int threads;
    pthread_mutex_t gate; /* held while the helpers start (see rt_iothreads_new) */
    pthread_barrier_t start, end;
    /* the job of the current pass, written by the caller before start */
    void **items;
    size_t count;
    rt_iothreads_fn fn;
    atomic_size_t next; /* the first item no thread has taken yet */
    bool stop;
    rt_iothread helpers[];
};

int rt_iothreads_wanted(long setting)
{
    if (setting > 0)
        return setting > RT_IOTHREADS_MAX ? RT_IOTHREADS_MAX : (int)setting;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    return cpus < RT_IOTHREADS_AUTO_MAX ? (int)cpus : RT_IOTHREADS_AUTO_MAX;
}

/* One thread's part of the job: chunks until none is left. */
static void rt_iothreads_work(rt_iothreads *p)
{
    for (;;) {
        size_t from = atomic_fetch_add_explicit(&p->next, RT_IOTHREADS_CHUNK, memory_order_relaxed);
        if (from >= p->count)
            return;
        size_t n = p->count - from < RT_IOTHREADS_CHUNK ? p->count - from : RT_IOTHREADS_CHUNK;
        p->fn(p->items + from, n);
    }
}

static void *rt_iothreads_main(void *arg)
{
    rt_iothread *t = arg;
    rt_iothreads *p = t->pool;
    pthread_mutex_lock(&p->gate); /* the barriers are made once all started */
    pthread_mutex_unlock(&p->gate);
    for (;;) {
        pthread_barrier_wait(&p->start);
        if (p->stop)
            return NULL;
        rt_iothreads_work(p);
        pthread_barrier_wait(&p->end);
    }
}

/* Starts up to threads - 1 helpers with every signal blocked; how many
 * started. */
static int rt_iothreads_spawn(rt_iothreads *p, int threads)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int started = 0;
    for (int i = 1; i < threads; i++) {
        rt_iothread *t = &p->helpers[i - 1];
        t->pool = p;
        t->index = i;
        if (pthread_create(&t->tid, NULL, rt_iothreads_main, t) != 0)
            break;
        char name[16];
        snprintf(name, sizeof(name), "rt-io-%d", i % 100);
        pthread_setname_np(t->tid, name);
        started++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started;
}

rt_iothreads *rt_iothreads_new(int threads)
{
    if (threads <= 1)
        return NULL;
    rt_iothreads *p = calloc(1, sizeof(*p) + sizeof(rt_iothread) * (size_t)(threads - 1));
    if (!p)
        return NULL;
    /* the helpers wait at the gate until the barriers, which count every
     * thread, are made for as many as did start */
    pthread_mutex_init(&p->gate, NULL);
    pthread_mutex_lock(&p->gate);
    p->threads = rt_iothreads_spawn(p, threads) + 1;
    pthread_barrier_init(&p->start, NULL, (unsigned)p->threads);
    pthread_barrier_init(&p->end, NULL, (unsigned)p->threads);
    pthread_mutex_unlock(&p->gate);
    if (p->threads < threads)
        fprintf(stderr, "pgstack-realtime: started %d of %d I/O threads\n", p->threads, threads);
    if (p->threads == 1) {
        rt_iothreads_free(p);
        return NULL;
    }
    return p;
}

int rt_iothreads_count(const rt_iothreads *p)
{
    return p ? p->threads : 1;
}

void rt_iothreads_run(rt_iothreads *p, void **items, size_t count, rt_iothreads_fn fn)
{
    p->items = items;
    p->count = count;
    p->fn = fn;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    pthread_barrier_wait(&p->start);
    rt_iothreads_work(p);
    pthread_barrier_wait(&p->end);
    p->items = NULL;
    p->count = 0;
}

void rt_iothreads_free(rt_iothreads *p)
{
    if (!p)
        return;
    p->stop = true;
    pthread_barrier_wait(&p->start);
    for (int i = 1; i < p->threads; i++)
        pthread_join(p->helpers[i - 1].tid, NULL);
    pthread_barrier_destroy(&p->start);
    pthread_barrier_destroy(&p->end);
    pthread_mutex_destroy(&p->gate);
    free(p);
}
