/* The realtime daemon's event loop, in the style of Redis's ae.c: file
 * events (readable/writable callbacks per descriptor), timers (a callback
 * after a delay, re-armed by its return value), and a before-sleep hook
 * that runs once per iteration before waiting (where queued fan-out is
 * flushed). Single-threaded; the polling backend lives in ae_epoll.c. */
#ifndef PGSTACK_RT_AE_H
#define PGSTACK_RT_AE_H

#include <stdbool.h>

#define AE_NONE 0
#define AE_READABLE 1
#define AE_WRITABLE 2
#define AE_TIMER_DONE (-1L) /* a timer callback's return value: do not re-arm */

typedef struct ae_loop ae_loop;

/* Called with the events that fired (AE_READABLE | AE_WRITABLE). */
typedef void ae_file_proc(ae_loop *loop, int fd, void *data, int mask);
/* Returns the delay in ms until the next call, or AE_TIMER_DONE. */
typedef long ae_timer_proc(ae_loop *loop, long long id, void *data);
typedef void ae_before_sleep_proc(ae_loop *loop, void *data);

/* setsize: the largest descriptor + 1 the loop can watch. */
ae_loop *ae_loop_new(int setsize);
void ae_loop_free(ae_loop *loop);

/* Adds mask to the events watched on fd; one callback per descriptor. */
bool ae_file_add(ae_loop *loop, int fd, int mask, ae_file_proc *proc, void *data);
/* Stops watching the events in mask (AE_READABLE | AE_WRITABLE removes fd). */
void ae_file_del(ae_loop *loop, int fd, int mask);
int ae_file_mask(const ae_loop *loop, int fd);

long long ae_timer_add(ae_loop *loop, long ms, ae_timer_proc *proc, void *data);
void ae_timer_del(ae_loop *loop, long long id);

void ae_set_before_sleep(ae_loop *loop, ae_before_sleep_proc *proc, void *data);

/* Runs until ae_stop; returns after the iteration that called it. */
void ae_run(ae_loop *loop);
void ae_stop(ae_loop *loop);

/* Milliseconds of a monotonic clock. */
long long ae_now_ms(void);

#endif
