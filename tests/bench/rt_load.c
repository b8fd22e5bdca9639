/* tests/bench/rt_load.c — the load client of tests/bench/realtime: many
 * Phoenix WebSocket connections (vsn 1.0.0) from one process, one epoll
 * loop, a few hundred bytes of state each, spread over 127.0.0.x source
 * addresses so ephemeral ports do not run out.
 *
 *   rt_load idle   HOST PORT APIKEY N             open N sockets, keep them
 *   rt_load listen HOST PORT APIKEY N TOPIC       open N, join TOPIC, record
 *                                                 the latency of every
 *                                                 broadcast carrying "t0"
 *   rt_load send   HOST PORT APIKEY COUNT TOPIC   one socket: COUNT
 *                                                 broadcasts, event "b",
 *                                                 as fast as it can write
 *
 * Progress lines on stdout ("open N", "joined N"); on SIGUSR1 listen prints,
 * per kind of message ("kind" in the payload), the deliveries, p50/p99/max
 * latency (receipt minus the t0 microseconds in the payload) and the
 * deliveries per second from the first send to the last receipt. SIGTERM ends
 * it. Test code: frames from the server are unmasked and read naively. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { C_CONNECTING, C_HANDSHAKE, C_OPEN, C_JOINED, C_DEAD };

typedef struct conn {
    int fd;
    int state;
    unsigned char *pend; /* bytes of a partial frame (rare) */
    size_t plen;
} conn;

typedef struct kind_stats {
    char name[16];
    uint32_t *lat; /* microseconds */
    size_t n, cap;
    long long first_t0, last_us; /* earliest send, latest receipt */
} kind_stats;

static volatile sig_atomic_t want_stats, want_exit;
static kind_stats kinds[4];
static size_t nkinds;
static const char *topic;
static long n_open, n_joined, n_dead, total;

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_usr1(int s)
{
    (void)s;
    want_stats = 1;
}

static void on_term(int s)
{
    (void)s;
    want_exit = 1;
}

/* A masked text frame (mask key 0: the payload goes as is). */
static size_t frame(unsigned char *out, const char *text)
{
    size_t n = strlen(text), h;
    out[0] = 0x81;
    if (n < 126) {
        out[1] = 0x80 | (unsigned char)n;
        h = 2;
    } else {
        out[1] = 0x80 | 126;
        out[2] = (unsigned char)(n >> 8);
        out[3] = (unsigned char)n;
        h = 4;
    }
    memset(out + h, 0, 4);
    memcpy(out + h + 4, text, n);
    return h + 4 + n;
}

static void send_text(conn *c, const char *text)
{
    unsigned char buf[4096];
    size_t n = frame(buf, text);
    if (write(c->fd, buf, n) != (ssize_t)n)
        c->state = C_DEAD;
}

static void record(const char *msg, size_t len, long long t)
{
    const char *p = memmem(msg, len, "\"t0\"", 4);
    const char *k = memmem(msg, len, "\"kind\"", 6);
    if (!p || !k)
        return;
    p += 4;
    k += 6;
    while (*p == ' ' || *p == ':')
        p++;
    while (*k == ' ' || *k == ':' || *k == '"')
        k++;
    long long t0 = strtoll(p, NULL, 10);
    char name[16] = {0};
    for (int i = 0; i < 15 && k[i] != '"'; i++)
        name[i] = k[i];
    kind_stats *ks = NULL;
    for (size_t i = 0; i < nkinds; i++)
        if (strcmp(kinds[i].name, name) == 0)
            ks = &kinds[i];
    if (!ks) {
        if (nkinds == 4)
            return;
        ks = &kinds[nkinds++];
        memcpy(ks->name, name, sizeof(name));
        ks->first_t0 = t0;
    }
    if (t0 < ks->first_t0)
        ks->first_t0 = t0;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 1 << 16;
        ks->lat = realloc(ks->lat, ks->cap * sizeof(uint32_t));
    }
    long long d = t - t0;
    ks->lat[ks->n++] = d < 0 ? 0 : (uint32_t)d;
    ks->last_us = t;
}

static void on_message(conn *c, const char *msg, size_t len, long long t)
{
    if (c->state == C_OPEN && memmem(msg, len, "phx_reply", 9)) {
        if (memmem(msg, len, "\"ok\"", 4)) {
            c->state = C_JOINED;
            if (++n_joined % 1000 == 0 || n_joined == total)
                printf("joined %ld\n", n_joined), fflush(stdout);
        }
        return;
    }
    record(msg, len, t);
}

/* Whole frames out of data; a partial one is kept. */
static void parse(conn *c, unsigned char *data, size_t len, long long t)
{
    size_t off = 0;
    while (len - off >= 2) {
        unsigned char *f = data + off;
        size_t n = f[1] & 0x7f, h = 2;
        if (n == 126) {
            if (len - off < 4)
                break;
            n = ((size_t)f[2] << 8) | f[3];
            h = 4;
        } else if (n == 127) {
            if (len - off < 10)
                break;
            n = 0;
            for (int i = 0; i < 8; i++)
                n = (n << 8) | f[2 + i];
            h = 10;
        }
        if (len - off < h + n)
            break;
        if ((f[0] & 0x0f) == 8) {
            c->state = C_DEAD;
            return;
        }
        on_message(c, (const char *)f + h, n, t);
        off += h + n;
    }
    free(c->pend);
    c->pend = NULL;
    c->plen = len - off;
    if (c->plen) {
        c->pend = malloc(c->plen);
        memcpy(c->pend, data + off, c->plen);
    }
}

static unsigned char rbuf[1 << 20];

static void on_readable(conn *c, const char *path)
{
    (void)path;
    for (;;) {
        size_t have = c->plen;
        if (have)
            memcpy(rbuf, c->pend, have);
        ssize_t r = read(c->fd, rbuf + have, sizeof(rbuf) - have);
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN)
                return;
            c->state = C_DEAD;
            return;
        }
        long long t = now_us();
        size_t len = have + (size_t)r;
        if (c->state == C_HANDSHAKE) {
            unsigned char *end = memmem(rbuf, len, "\r\n\r\n", 4);
            if (!end) { /* keep it */
                free(c->pend);
                c->pend = malloc(len);
                memcpy(c->pend, rbuf, len);
                c->plen = len;
                continue;
            }
            if (memcmp(rbuf, "HTTP/1.1 101", 12) != 0) {
                c->state = C_DEAD;
                return;
            }
            c->state = C_OPEN;
            n_open++;
            if (n_open % 1000 == 0 || n_open == total)
                printf("open %ld\n", n_open), fflush(stdout);
            if (topic) {
                char join[512];
                snprintf(join, sizeof(join),
                         "{\"topic\":\"realtime:%s\",\"event\":\"phx_join\",\"payload\":"
                         "{\"config\":{\"broadcast\":{\"self\":false}}},\"ref\":\"1\","
                         "\"join_ref\":\"1\"}",
                         topic);
                send_text(c, join);
            }
            size_t rest = len - (size_t)(end + 4 - rbuf);
            memmove(rbuf, end + 4, rest);
            free(c->pend);
            c->pend = NULL;
            c->plen = 0;
            parse(c, rbuf, rest, t);
            continue;
        }
        parse(c, rbuf, len, t);
        if (c->state == C_DEAD)
            return;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void print_stats(void)
{
    printf("stats open %ld joined %ld dead %ld\n", n_open, n_joined, n_dead);
    for (size_t i = 0; i < nkinds; i++) {
        kind_stats *k = &kinds[i];
        qsort(k->lat, k->n, sizeof(uint32_t), cmp_u32);
        double span = (double)(k->last_us - k->first_t0) / 1e6;
        printf("kind %s deliveries %zu p50_ms %.1f p99_ms %.1f max_ms %.1f span_s %.3f "
               "per_s %.0f\n",
               k->name, k->n, k->n ? k->lat[k->n / 2] / 1000.0 : 0,
               k->n ? k->lat[(size_t)(k->n * 0.99)] / 1000.0 : 0,
               k->n ? k->lat[k->n - 1] / 1000.0 : 0, span, span > 0 ? (double)k->n / span : 0);
    }
    fflush(stdout);
}

static int connect_one(const char *host, int port, long i)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(2 + i % 200)); /* 127.0.0.2.. */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &dst.sin_addr);
    if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_handshake(conn *c, const char *host, const char *path)
{
    char req[1024];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13"
                     "\r\n\r\n",
                     path, host);
    if (write(c->fd, req, (size_t)n) != n)
        c->state = C_DEAD;
    else
        c->state = C_HANDSHAKE;
}

/* send mode: one blocking socket, COUNT broadcasts. */
static int run_send(conn *c, long count)
{
    int fl = fcntl(c->fd, F_GETFL);
    fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (long i = 0; i < count && c->state != C_DEAD; i++) {
        char msg[512];
        snprintf(
            msg, sizeof(msg),
            "{\"topic\":\"realtime:%s\",\"event\":\"broadcast\",\"payload\":{\"type\":"
            "\"broadcast\",\"event\":\"b\",\"payload\":{\"kind\":\"ws\",\"i\":%ld,\"t0\":%lld}},"
            "\"ref\":null,\"join_ref\":\"1\"}",
            topic, i, now_us());
        send_text(c, msg);
    }
    printf("sent %ld\n", count);
    fflush(stdout);
    usleep(500000);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: rt_load idle|listen|send HOST PORT APIKEY N [TOPIC]\n");
        return 2;
    }
    const char *mode = argv[1], *host = argv[2], *key = argv[4];
    int port = atoi(argv[3]);
    long n = atol(argv[5]);
    topic = argc > 6 ? argv[6] : NULL;
    int sending = strcmp(mode, "send") == 0;
    long conns = sending ? 1 : n;
    total = conns;
    struct rlimit rl = {(rlim_t)conns + 64, (rlim_t)conns + 64};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        perror("setrlimit");
    signal(SIGUSR1, on_usr1);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    char path[600];
    snprintf(path, sizeof(path), "/realtime/v1/websocket?apikey=%s&vsn=1.0.0", key);
    conn *cs = calloc((size_t)conns, sizeof(conn));
    int ep = epoll_create1(0);
    struct epoll_event evs[1024];
    long started = 0, in_flight = 0;
    while (!want_exit) {
        while (started < conns && in_flight < 256) {
            int fd = connect_one(host, port, started);
            if (fd < 0) {
                perror("connect");
                want_exit = 1;
                break;
            }
            cs[started] = (conn){.fd = fd, .state = C_CONNECTING};
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &cs[started]};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            started++;
            in_flight++;
        }
        if (sending && cs[0].state == C_JOINED)
            return run_send(&cs[0], n);
        int k = epoll_wait(ep, evs, 1024, 200);
        for (int i = 0; i < k; i++) {
            conn *c = evs[i].data.ptr;
            int before = c->state;
            if (c->state == C_CONNECTING && (evs[i].events & EPOLLOUT)) {
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                send_handshake(c, host, path);
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                on_readable(c, path);
            if (before < C_OPEN && c->state >= C_OPEN && c->state != C_DEAD)
                in_flight--;
            if (c->state == C_DEAD) {
                if (before < C_OPEN)
                    in_flight--;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                c->state = C_DEAD + 1; /* counted */
                n_dead++;
            }
        }
        if (want_stats) {
            want_stats = 0;
            print_stats();
        }
    }
    printf("exit open %ld joined %ld dead %ld\n", n_open, n_joined, n_dead);
    return 0;
}
