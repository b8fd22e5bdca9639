/* The listener, the flush of queued output before each sleep, and the
 * once-a-second sweep; see rt_server.h. */
#include "realtime/rt_server.h"

#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int rt_listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "REALTIME_ADDR: unix socket path too long");
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        snprintf(err, errlen, "REALTIME_ADDR: cannot bind %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    chmod(path, 0660);
    return fd;
}

static int rt_listen_tcp(const char *addr, char *err, size_t errlen)
{
    const char *colon = strrchr(addr, ':');
    char host[64];
    if (!colon || (size_t)(colon - addr) >= sizeof(host)) {
        snprintf(err, errlen, "REALTIME_ADDR: expected host:port or unix:/path, got '%s'", addr);
        return -1;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = 0;
    int port = atoi(colon + 1);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "REALTIME_ADDR: '%s' is not an IPv4 address and port", addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        snprintf(err, errlen, "REALTIME_ADDR: cannot bind %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void rt_server_accept(ae_loop *loop, int lfd, void *data, int mask)
{
    rt_server *srv = data;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        char peer[64] = "127.0.0.1"; /* a unix socket peer is local */
        if (ss.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, peer, sizeof(peer));
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        if (!rt_conn_new(&srv->conns, fd, peer))
            close(fd); /* beyond the loop's descriptor table */
    }
    (void)loop;
    (void)mask;
}

bool rt_server_listen(rt_server *srv, const char *addr, char *err, size_t errlen)
{
    int fd = strncmp(addr, "unix:", 5) == 0 ? rt_listen_unix(addr + 5, err, errlen)
                                            : rt_listen_tcp(addr, err, errlen);
    if (fd < 0)
        return false;
    if (listen(fd, 1024) != 0 ||
        !ae_file_add(srv->conns.loop, fd, AE_READABLE, rt_server_accept, srv)) {
        snprintf(err, errlen, "REALTIME_ADDR: cannot listen on %s: %s", addr, strerror(errno));
        close(fd);
        return false;
    }
    srv->listen_fd = fd;
    return true;
}

static void rt_server_before_sleep(ae_loop *loop, void *data)
{
    rt_server *srv = data;
    rt_conns_flush(&srv->conns);
    (void)loop;
}

static long rt_server_sweep(ae_loop *loop, long long id, void *data)
{
    rt_server *srv = data;
    rt_conns_sweep(&srv->conns);
    (void)loop;
    (void)id;
    return 1000;
}

void rt_server_run(rt_server *srv)
{
    ae_set_before_sleep(srv->conns.loop, rt_server_before_sleep, srv);
    ae_timer_add(srv->conns.loop, 1000, rt_server_sweep, srv);
    ae_run(srv->conns.loop);
}

void rt_server_shutdown(rt_server *srv)
{
    rt_conns_close_all(&srv->conns);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
}
