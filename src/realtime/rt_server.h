/* The daemon's listener: accepting connections (rt_conn.c), and hooking
 * their flush into the loop's before-sleep and their sweep into a
 * once-a-second timer. */
#ifndef PGSTACK_RT_SERVER_H
#define PGSTACK_RT_SERVER_H

#include "realtime/rt_conn.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rt_server {
    rt_conns conns;
    int listen_fd;
} rt_server;

/* Listens on REALTIME_ADDR (host:port, or unix:/path). */
bool rt_server_listen(rt_server *srv, const char *addr, char *err, size_t errlen);
void rt_server_run(rt_server *srv);
/* Closes every connection (1001 going away) and the listener. */
void rt_server_shutdown(rt_server *srv);

#endif
