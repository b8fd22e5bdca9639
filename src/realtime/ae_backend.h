/* The polling backend of the event loop (ae.c): one implementation per
 * system call, here epoll (ae_epoll.c). Internal to ae.c. */
#ifndef PGSTACK_RT_AE_BACKEND_H
#define PGSTACK_RT_AE_BACKEND_H

typedef struct ae_backend ae_backend;

typedef struct ae_fired {
    int fd;
    int mask;
} ae_fired;

ae_backend *ae_backend_new(int setsize);
void ae_backend_free(ae_backend *b);
/* old_mask: what was watched before; new_mask: what is watched now. */
int ae_backend_set(ae_backend *b, int fd, int old_mask, int new_mask);
/* Waits at most timeout_ms (-1: forever); fills fired, returns the count. */
int ae_backend_poll(ae_backend *b, long timeout_ms, ae_fired *fired, int max);

#endif
