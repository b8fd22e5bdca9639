/* The epoll backend of the event loop; see ae_backend.h. */
#include "realtime/ae_backend.h"
#include "realtime/ae.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct ae_backend {
    int epfd;
    struct epoll_event *events;
    int size;
};

ae_backend *ae_backend_new(int setsize)
{
    ae_backend *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->size = setsize < 1024 ? setsize : 1024;
    b->events = calloc((size_t)b->size, sizeof(*b->events));
    b->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!b->events || b->epfd < 0) {
        ae_backend_free(b);
        return NULL;
    }
    return b;
}

void ae_backend_free(ae_backend *b)
{
    if (!b)
        return;
    if (b->epfd >= 0)
        close(b->epfd);
    free(b->events);
    free(b);
}

int ae_backend_set(ae_backend *b, int fd, int old_mask, int new_mask)
{
    struct epoll_event ee = {0};
    ee.data.fd = fd;
    if (new_mask & AE_READABLE)
        ee.events |= EPOLLIN;
    if (new_mask & AE_WRITABLE)
        ee.events |= EPOLLOUT;
    int op = old_mask == AE_NONE   ? EPOLL_CTL_ADD
             : new_mask == AE_NONE ? EPOLL_CTL_DEL
                                   : EPOLL_CTL_MOD;
    return epoll_ctl(b->epfd, op, fd, &ee);
}

int ae_backend_poll(ae_backend *b, long timeout_ms, ae_fired *fired, int max)
{
    int cap = max < b->size ? max : b->size;
    int n = epoll_wait(b->epfd, b->events, cap, (int)timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        uint32_t ev = b->events[i].events;
        int mask = 0;
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
            mask |= AE_READABLE;
        if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            mask |= AE_WRITABLE;
        fired[i].fd = b->events[i].data.fd;
        fired[i].mask = mask;
    }
    return n;
}
