/* The daemon's listener and its connections: accepting, the per-address
 * counts, the list of connections with output waiting (flushed in the
 * loop's before-sleep hook), and the once-a-second sweep (idle sockets,
 * stalled handshakes, expired tokens). Connections themselves are in
 * rt_conn.c. */
#ifndef PGSTACK_RT_SERVER_H
#define PGSTACK_RT_SERVER_H

#include "realtime/ae.h"
#include "realtime/rt_context.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rt_conn rt_conn;

typedef struct rt_server {
    ae_loop *loop;
    rt_context *ctx;
    int listen_fd;
    rt_conn *conns;     /* every connection */
    rt_conn *pending;   /* connections with queued output */
    size_t open_count;  /* connections past the handshake */
    size_t conn_count;  /* every connection */
    rt_topics *by_addr; /* "addr" -> open connections from it */
    bool stopping;
} rt_server;

/* Listens on REALTIME_ADDR (host:port, or unix:/path). */
bool rt_server_listen(rt_server *srv, const char *addr, char *err, size_t errlen);
void rt_server_run(rt_server *srv);
/* Closes every connection (1001 going away) and the listener. */
void rt_server_shutdown(rt_server *srv);

/* Called by rt_conn.c. */
void rt_server_want_flush(rt_server *srv, rt_conn *c);

#endif
