/* I/O threads for the daemon's write pass (Redis 6 style threaded I/O):
 * the event loop stays single-threaded for every decision; when one flush
 * pass has many connections to write, it hands the list to this pool, whose
 * threads (the calling thread among them) take it in chunks of
 * RT_IOTHREADS_CHUNK items from a shared atomic index, run the given
 * function on each chunk, and the call returns when every item is done.
 * Chunks rather than fixed slices: on a busy machine a helper that is not
 * scheduled leaves its share to the others instead of holding the pass up.
 * Two barriers per pass (start, end) are the only synchronisation besides
 * the index: between them the caller must not touch the items and each
 * item belongs to the one thread that took its chunk; outside them the
 * helpers sleep. Nothing here knows sockets or connections. */
#ifndef PGSTACK_RT_IOTHREADS_H
#define PGSTACK_RT_IOTHREADS_H

#include <stddef.h>

typedef struct rt_iothreads rt_iothreads;

#define RT_IOTHREADS_CHUNK 32

/* Work on items[0..count); called on one chunk by one thread. */
typedef void (*rt_iothreads_fn)(void **items, size_t count);

/* The number of threads REALTIME_IO_THREADS asks for: setting > 0 is
 * taken as is, 0 means min(online CPUs, 4). */
int rt_iothreads_wanted(long setting);
/* A pool of threads threads in all, the caller included (threads - 1
 * helpers are started); NULL when threads <= 1 or threads cannot start. */
rt_iothreads *rt_iothreads_new(int threads);
int rt_iothreads_count(const rt_iothreads *p);
/* Runs fn over items shared among the pool's threads; returns after all. */
void rt_iothreads_run(rt_iothreads *p, void **items, size_t count, rt_iothreads_fn fn);
/* Stops and joins the helpers. */
void rt_iothreads_free(rt_iothreads *p);

#endif
