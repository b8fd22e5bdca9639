/* I/O threads for the daemon's write pass (Redis 6 style threaded I/O):
 * the event loop stays single-threaded for every decision; when one flush
 * pass has many connections to write, it hands the list to this pool, which
 * splits it into contiguous slices, one per thread (the calling thread takes
 * the first), runs the given function on each slice and returns when every
 * slice is done. Two barriers per pass (start, end) are the only
 * synchronisation: between them the caller must not touch the items and
 * each item belongs to one thread; outside them the helpers sleep. Nothing
 * here knows sockets or connections. */
#ifndef PGSTACK_RT_IOTHREADS_H
#define PGSTACK_RT_IOTHREADS_H

#include <stddef.h>

typedef struct rt_iothreads rt_iothreads;

/* Work on items[0..count); called on one slice by one thread. */
typedef void (*rt_iothreads_fn)(void **items, size_t count);

/* The number of threads REALTIME_IO_THREADS asks for: setting > 0 is
 * taken as is, 0 means min(online CPUs, 4). */
int rt_iothreads_wanted(long setting);
/* A pool of threads threads in all, the caller included (threads - 1
 * helpers are started); NULL when threads <= 1 or threads cannot start. */
rt_iothreads *rt_iothreads_new(int threads);
int rt_iothreads_count(const rt_iothreads *p);
/* Runs fn over items split among the pool's threads; returns after all. */
void rt_iothreads_run(rt_iothreads *p, void **items, size_t count, rt_iothreads_fn fn);
/* Stops and joins the helpers. */
void rt_iothreads_free(rt_iothreads *p);

#endif
