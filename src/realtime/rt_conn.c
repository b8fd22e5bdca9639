/* Connections and their state machine; see rt_conn.h. */
#include "realtime/rt_conn.h"

#include "core/log.h"
#include "realtime/rt_auth.h"
#include "realtime/rt_http.h"
#include "realtime/rt_iothreads.h"
#include "realtime/rt_upgrade.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RT_HANDSHAKE_TIMEOUT_MS 10000
#define RT_CLOSING_TIMEOUT_MS 5000
/* Most unsent bytes framed into c->out at a time: the rest stays queued in
 * the WebSocket session, where it counts against REALTIME_OUTPUT_LIMIT. */
#define RT_OUT_CHUNK (64 * 1024)
/* A flush pass with at least this many connections is written by the I/O
 * threads (fewer are not worth waking them). */
#define RT_IO_THREADS_MIN_BATCH 256

static void rt_conn_on_event(ae_loop *loop, int fd, void *data, int mask);

static void rt_conn_want_flush(rt_conn *c)
{
    if (c->pending)
        return;
    c->pending = true;
    c->next_pending = c->set->pending;
    c->set->pending = c;
    c->set->pending_count++;
}
static void rt_conn_read_ws(rt_conn *c);

static bool rt_conn_send(rt_client *cl, bool binary, const void *data, size_t len)
{
    rt_conn *c = (rt_conn *)cl;
    if (c->state != RT_CONN_OPEN)
        return false;
    if (!ws_session_send(c->ws, binary, data, len)) {
        /* a slow consumer: dropped at the next flush, never allowed to grow */
        c->dropped = true;
        rt_conn_set_state(c, RT_CONN_CLOSING);
        rt_conn_want_flush(c);
        return false;
    }
    rt_conn_want_flush(c);
    return true;
}

static void rt_conn_close_client(rt_client *cl, uint16_t code, const char *reason)
{
    rt_conn *c = (rt_conn *)cl;
    if (c->state != RT_CONN_OPEN)
        return;
    ws_session_close(c->ws, code, reason);
    rt_conn_set_state(c, RT_CONN_CLOSING);
    rt_conn_want_flush(c);
}

static const rt_client_ops rt_conn_ops = {.send = rt_conn_send, .close = rt_conn_close_client};

/* The handshake buffer is not kept past the bytes read behind the head. */
static void rt_conn_drop_input(rt_conn *c)
{
    free(c->in);
    c->in = NULL;
    c->in_len = c->in_off = c->in_cap = 0;
}

static ssize_t rt_conn_ws_read(void *ctx, uint8_t *buf, size_t len)
{
    rt_conn *c = ctx;
    if (c->in_off < c->in_len) {
        size_t n = c->in_len - c->in_off < len ? c->in_len - c->in_off : len;
        memcpy(buf, c->in + c->in_off, n);
        c->in_off += n;
        if (c->in_off == c->in_len)
            rt_conn_drop_input(c);
        return (ssize_t)n;
    }
    return recv(c->fd, buf, len, 0);
}

/* c->out holds the bytes to write: the handshake or an HTTP reply, then the
 * frames of one flush, gathered so that a flush costs one send() however
 * many messages were queued (a burst of broadcasts to many sockets is
 * dominated by system calls otherwise). Appends n bytes; false without
 * memory. */
static bool rt_conn_out_append(rt_conn *c, const void *p, size_t n)
{
    if (c->out_off && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 256;
        while (cap < c->out_len + n)
            cap *= 2;
        char *bigger = realloc(c->out, cap);
        if (!bigger)
            return false;
        c->out = bigger;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return true;
}

/* Everything in c->out was written: a quiet socket keeps no buffer. */
static void rt_conn_out_free(rt_conn *c)
{
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = c->out_cap = 0;
}

/* The session's frames, framed by the main thread into c->out. */
static ssize_t rt_conn_ws_write(void *ctx, const uint8_t *buf, size_t len)
{
    rt_conn *c = ctx;
    size_t unsent = c->out_len - c->out_off;
    if (unsent >= RT_OUT_CHUNK) {
        errno = EAGAIN; /* libwslay keeps the rest for the next round */
        return -1;
    }
    size_t n = len < RT_OUT_CHUNK - unsent ? len : RT_OUT_CHUNK - unsent;
    if (!rt_conn_out_append(c, buf, n)) {
        errno = ENOMEM;
        return -1;
    }
    return (ssize_t)n;
}

static void rt_conn_ws_message(void *ctx, bool binary, const uint8_t *data, size_t len)
{
    rt_conn *c = ctx;
    if (c->state != RT_CONN_OPEN)
        return;
    c->client.protocol->message(&c->client, binary, data, len);
}

static const ws_io rt_conn_ws_io = {
    .read = rt_conn_ws_read, .write = rt_conn_ws_write, .on_message = rt_conn_ws_message};

rt_conn *rt_conn_new(rt_conns *set, int fd, const char *peer)
{
    rt_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->set = set;
    c->fd = fd;
    c->state = RT_CONN_HANDSHAKE;
    c->client.ops = &rt_conn_ops;
    c->client.ctx = set->ctx;
    c->client.msg_arena = set->ctx->work;
    unsigned char id[16];
    RAND_bytes(id, sizeof(id));
    for (int i = 0; i < 16; i++)
        snprintf(c->client.id + 2 * i, 3, "%02x", id[i]);
    snprintf(c->peer, sizeof(c->peer), "%s", peer);
    c->created_ms = c->last_seen_ms = ae_now_ms();
    c->in = malloc(RT_HTTP_MAX_HEAD);
    c->in_cap = RT_HTTP_MAX_HEAD;
    if (!c->in || !ae_file_add(set->loop, fd, AE_READABLE, rt_conn_on_event, c)) {
        free(c->in);
        free(c);
        return NULL;
    }
    c->next = set->all;
    if (set->all)
        set->all->prev = c;
    set->all = c;
    set->count++;
    return c;
}

/* Leaving OPEN or HANDSHAKE for good: detach the protocol, free buffers. */
static void rt_conn_release(rt_conn *c)
{
    if (c->opened) {
        c->client.protocol->closed(&c->client);
        rt_topic_leave(c->set->by_addr, &c->addr_member);
        c->set->open_count--;
    }
    phx_rest_cancel(c->rest_wait);
    ae_file_del(c->set->loop, c->fd, AE_READABLE | AE_WRITABLE);
    close(c->fd);
    ws_session_free(c->ws);
    rt_auth_clear(&c->client.auth);
    free(c->in);
    free(c->out);
    free(c->addr);
    free(c->rest_headers);
}

static void rt_conn_unlink(rt_conn *c)
{
    rt_conns *srv = c->set;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->all = c->next;
    if (c->next)
        c->next->prev = c->prev;
    for (rt_conn **pp = &srv->pending; c->pending && *pp; pp = &(*pp)->next_pending) {
        if (*pp == c) {
            *pp = c->next_pending;
            srv->pending_count--;
            break;
        }
    }
    if (c->in_batch)
        srv->batch[c->batch_slot] = NULL;
    srv->count--;
}

/* The only place a connection changes state. */
void rt_conn_set_state(rt_conn *c, rt_conn_state state)
{
    if (c->state == state || c->state == RT_CONN_CLOSED)
        return;
    rt_conn_state from = c->state;
    c->state = state;
    switch (state) {
    case RT_CONN_OPEN:
        c->opened = true;
        c->set->open_count++;
        rt_topic_join(c->set->by_addr, c->addr, &c->addr_member, c);
        break;
    case RT_CONN_CLOSING:
        c->closing_ms = ae_now_ms();
        (void)from;
        break;
    case RT_CONN_CLOSED:
        rt_conn_release(c);
        rt_conn_unlink(c);
        free(c);
        break;
    case RT_CONN_HANDSHAKE:
        break;
    }
}

static size_t rt_conn_count_addr(void *data, const char *addr)
{
    rt_conns *srv = data;
    rt_topic *t = rt_topic_find(srv->by_addr, addr);
    return t ? rt_topic_member_count(t) : 0;
}

/* A REST broadcast's answer after its private topics were checked. */
static void rt_conn_rest_done(void *data, phx_rest_result r)
{
    rt_conn *c = data;
    arena *a = c->set->ctx->work;
    c->rest_wait = NULL;
    size_t len;
    const char *reply = r.status == 202 ? rt_http_reply_with(a, 202, c->rest_headers, "", &len)
                                        : rt_http_reply_with(a, r.status, c->rest_headers,
                                                             rt_http_error_body(a, r.error), &len);
    rt_conn_out_append(c, reply, len);
    log_request(stderr, c->client.id, "POST", "/realtime/v1/api/broadcast (private)", r.status, 0,
                "-");
    rt_conn_set_state(c, RT_CONN_CLOSING);
    rt_conn_want_flush(c);
}

/* The request head is complete: reply, or upgrade and attach a protocol. */
static void rt_conn_upgrade(rt_conn *c, const rt_http_head *head)
{
    rt_conns *srv = c->set;
    arena *a = srv->ctx->work;
    rt_capacity cap = {.open_total = srv->open_count,
                       .count_addr = rt_conn_count_addr,
                       .data = srv,
                       .rest_done = rt_conn_rest_done,
                       .rest_data = c};
    rt_upgrade up;
    long long t0 = ae_now_ms();
    rt_upgrade_decide(a, srv->ctx, head, c->peer, &cap, &up);
    log_request(stderr, c->client.id, up.method, up.path, up.status, (ae_now_ms() - t0) * 1000,
                up.role);
    if (up.status == 0) { /* the answer comes later (rt_conn_rest_done) */
        rt_auth_clear(&up.auth);
        c->rest_wait = up.wait;
        c->rest_headers = up.headers ? strdup(up.headers) : NULL;
        return;
    }
    rt_conn_out_append(c, up.reply, up.reply_len);
    rt_conn_want_flush(c);
    if (up.status != 101) {
        rt_auth_clear(&up.auth);
        rt_conn_set_state(c, RT_CONN_CLOSING);
        return;
    }
    c->client.auth = up.auth;
    c->addr = strdup(up.client_addr);
    c->client.addr = c->addr;
    c->client.protocol = up.protocol;
    c->in_off = head->head_len;
    const realtime_settings *s = &srv->ctx->settings;
    c->ws = ws_session_new(&rt_conn_ws_io, c, (size_t)s->max_message, (size_t)s->output_limit);
    rt_conn_set_state(c, RT_CONN_OPEN);
    if (!c->ws || !up.protocol->open(&c->client, up.target, up.vsn)) {
        rt_conn_set_state(c, RT_CONN_CLOSED);
        return;
    }
    if (c->in_off < c->in_len) /* frames sent right behind the request */
        rt_conn_read_ws(c);
    else
        rt_conn_drop_input(c);
}

/* An HTTP error reply before any upgrade. */
static void rt_conn_refuse(rt_conn *c, int status, const char *why)
{
    arena *a = c->set->ctx->work;
    size_t len;
    const char *r = rt_http_reply(a, status, rt_http_error_body(a, why), &len);
    rt_conn_out_append(c, r, len);
    log_request(stderr, c->client.id, "-", "-", status, 0, "-");
    rt_conn_set_state(c, RT_CONN_CLOSING);
    rt_conn_want_flush(c);
}

/* A POST's body: false while it is still arriving (or after a refusal). */
static bool rt_conn_body(rt_conn *c, rt_http_head *head)
{
    if (strcmp(head->method, "POST") != 0)
        return true;
    const char *cl = rt_http_header(head, "content-length");
    if (!cl) {
        rt_conn_refuse(c, 411, "a POST needs Content-Length");
        return false;
    }
    char *end;
    unsigned long long len = strtoull(cl, &end, 10);
    if (!*cl || *end || cl[0] == '-') {
        rt_conn_refuse(c, 400, "invalid Content-Length");
        return false;
    }
    if (len > (unsigned long long)c->set->ctx->settings.max_message) {
        rt_conn_refuse(c, 413, "body larger than REALTIME_MAX_MESSAGE");
        return false;
    }
    size_t need = head->head_len + (size_t)len;
    if (need > c->in_cap) {
        char *bigger = realloc(c->in, need);
        if (!bigger) {
            rt_conn_set_state(c, RT_CONN_CLOSED);
            return false;
        }
        c->in = bigger;
        c->in_cap = need;
    }
    if (c->in_len < need)
        return false; /* more to read */
    head->body = c->in + head->head_len;
    head->body_len = (size_t)len;
    return true;
}

static void rt_conn_read_head(rt_conn *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        rt_conn_set_state(c, RT_CONN_CLOSED);
        return;
    }
    if (n < 0)
        return;
    c->in_len += (size_t)n;
    rt_http_head head;
    const char *why = NULL;
    rt_http_status st = rt_http_parse(c->set->ctx->work, c->in, c->in_len, &head, &why);
    if (st == RT_HTTP_INCOMPLETE)
        return;
    if (st == RT_HTTP_BAD) {
        rt_conn_refuse(c, 400, why);
        return;
    }
    if (rt_conn_body(c, &head))
        rt_conn_upgrade(c, &head); /* may close c */
}

static void rt_conn_read_ws(rt_conn *c)
{
    c->last_seen_ms = ae_now_ms();
    bool more = ws_session_read(c->ws);
    if (c->state == RT_CONN_CLOSED)
        return;
    if (!more && ws_session_finished(c->ws)) {
        rt_conn_set_state(c, RT_CONN_CLOSED); /* frees c */
        return;
    }
    if (c->state == RT_CONN_OPEN && (!more || ws_session_close_sent(c->ws)))
        rt_conn_set_state(c, RT_CONN_CLOSING); /* a close frame is on its way */
    rt_conn_want_flush(c);
}

/* A flush is three steps: frame (main thread), write (main thread or an
 * I/O thread, rt_conns_flush_threaded), finish (main thread). */

/* Frame: the session's queued frames into c->out. false: c must close (a
 * dropped slow consumer, a failed stream). */
static bool rt_conn_frame(rt_conn *c)
{
    return !c->dropped && (!c->ws || ws_session_flush(c->ws));
}

/* Write: c->out to the socket. The only step an I/O thread runs, so it
 * touches nothing but c's descriptor, output buffer and io_err. */
static void rt_conn_write_out(rt_conn *c)
{
    c->io_err = 0;
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        c->io_err = n < 0 ? errno : EPIPE;
        return;
    }
}

/* Written out with frames still queued in the session (more than
 * RT_OUT_CHUNK): frame and write again. */
static bool rt_conn_more_to_frame(const rt_conn *c)
{
    return !c->io_err && c->out_off >= c->out_len && c->ws && ws_session_wants_write(c->ws);
}

/* Finish: a write error closes; the end of a close handshake closes; else
 * the writable event is armed while bytes wait. false: c was freed. */
static bool rt_conn_finish(rt_conn *c)
{
    if (c->io_err) {
        rt_conn_set_state(c, RT_CONN_CLOSED);
        return false;
    }
    if (c->out_off >= c->out_len)
        rt_conn_out_free(c);
    bool done = c->out_len == 0 && (!c->ws || !ws_session_wants_write(c->ws));
    if (done && c->state == RT_CONN_CLOSING && !c->ws) {
        /* lingering close: the client may still be sending (a refused
         * request with a body); reading it to the end keeps the reply from
         * being lost to a reset */
        shutdown(c->fd, SHUT_WR);
    } else if (done && c->state == RT_CONN_CLOSING && ws_session_finished(c->ws)) {
        rt_conn_set_state(c, RT_CONN_CLOSED);
        return false;
    }
    if (done)
        ae_file_del(c->set->loop, c->fd, AE_WRITABLE);
    else
        ae_file_add(c->set->loop, c->fd, AE_WRITABLE, rt_conn_on_event, c);
    return true;
}

bool rt_conn_flush(rt_conn *c)
{
    do {
        size_t before = c->out_len - c->out_off;
        if (!rt_conn_frame(c)) {
            rt_conn_set_state(c, RT_CONN_CLOSED);
            return false;
        }
        if (before == 0 && c->out_len == c->out_off)
            break; /* nothing was framed */
        rt_conn_write_out(c);
    } while (rt_conn_more_to_frame(c));
    return rt_conn_finish(c);
}

/* After an HTTP reply: read and drop what the client still sends; its end
 * of stream ends the connection. */
static void rt_conn_discard(rt_conn *c)
{
    char sink[4096];
    ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        rt_conn_set_state(c, RT_CONN_CLOSED);
}

static void rt_conn_on_event(ae_loop *loop, int fd, void *data, int mask)
{
    rt_conn *c = data;
    arena *work = c->set->ctx->work; /* c may be freed below */
    (void)loop;
    (void)fd;
    bool alive = true;
    if (mask & AE_WRITABLE)
        alive = rt_conn_flush(c); /* false: c was freed */
    if (alive && (mask & AE_READABLE)) {
        if (c->state == RT_CONN_HANDSHAKE && !c->rest_wait)
            rt_conn_read_head(c);
        else if (c->ws)
            rt_conn_read_ws(c);
        else
            rt_conn_discard(c);
    }
    arena_reset(work); /* the per-message arena */
}

void rt_conn_sweep(rt_conn *c, long long now_ms)
{
    const realtime_settings *s = &c->set->ctx->settings;
    switch (c->state) {
    case RT_CONN_HANDSHAKE:
        if (now_ms - c->created_ms > RT_HANDSHAKE_TIMEOUT_MS)
            rt_conn_set_state(c, RT_CONN_CLOSED);
        break;
    case RT_CONN_OPEN:
        if (now_ms - c->last_seen_ms > s->idle_timeout_s * 1000) {
            rt_client_close(&c->client, WS_CLOSE_NORMAL, "heartbeat timeout");
            break;
        }
        if (c->client.protocol->tick)
            c->client.protocol->tick(&c->client, time(NULL));
        if (c->state == RT_CONN_OPEN && !c->pending && ws_session_trim(c->ws))
            c->set->trimmed++; /* an idle socket holds no framing buffers */
        break;
    case RT_CONN_CLOSING:
        if (now_ms - c->closing_ms > RT_CLOSING_TIMEOUT_MS)
            rt_conn_set_state(c, RT_CONN_CLOSED);
        break;
    case RT_CONN_CLOSED:
        break;
    }
}

static rt_conn *rt_conns_pop_pending(rt_conns *set)
{
    rt_conn *c = set->pending;
    set->pending = c->next_pending;
    set->pending_count--;
    c->pending = false;
    c->next_pending = NULL;
    return c;
}

/* The pending list moved into set->batch; each connection knows its slot
 * (rt_conn_unlink empties it if the connection is freed meanwhile). */
static bool rt_conns_take_batch(rt_conns *set)
{
    if (set->pending_count > set->batch_cap) {
        void **bigger = realloc(set->batch, set->pending_count * sizeof(*bigger));
        if (!bigger)
            return false;
        set->batch = bigger;
        set->batch_cap = set->pending_count;
    }
    set->batch_len = 0;
    while (set->pending) {
        rt_conn *c = rt_conns_pop_pending(set);
        c->in_batch = true;
        c->batch_slot = set->batch_len;
        set->batch[set->batch_len++] = c;
    }
    return true;
}

/* A chunk of the batch, in one of the I/O threads: raw writes only. */
static void rt_conns_write_chunk(void **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (items[i])
            rt_conn_write_out(items[i]);
}

/* One pass over many connections: every connection framed here, written by
 * the I/O threads (nothing else runs meanwhile, and nothing is freed),
 * then finished here; a connection closed by an earlier one's finish is
 * gone from its slot. Output queued meanwhile waits for the next pass. */
static void rt_conns_flush_threaded(rt_conns *set)
{
    for (size_t i = 0; i < set->batch_len; i++) {
        rt_conn *c = set->batch[i];
        if (c && !rt_conn_frame(c))
            rt_conn_set_state(c, RT_CONN_CLOSED); /* empties its slot */
    }
    rt_iothreads_run(set->io, set->batch, set->batch_len, rt_conns_write_chunk);
    for (size_t i = 0; i < set->batch_len; i++) {
        rt_conn *c = set->batch[i];
        if (!c)
            continue;
        set->batch[i] = NULL;
        c->in_batch = false;
        if (rt_conn_more_to_frame(c))
            rt_conn_flush(c);
        else
            rt_conn_finish(c);
    }
    set->batch_len = 0;
}

void rt_conns_flush(rt_conns *set)
{
    while (set->pending) {
        if (set->io && set->pending_count >= RT_IO_THREADS_MIN_BATCH && rt_conns_take_batch(set)) {
            rt_conns_flush_threaded(set);
            continue;
        }
        rt_conn_flush(rt_conns_pop_pending(set)); /* may free it, and queue output for others */
    }
    arena_reset(set->ctx->work);
}

void rt_conns_sweep(rt_conns *set)
{
    long long now = ae_now_ms();
    rt_conn *c = set->all;
    while (c) {
        rt_conn *next = c->next; /* c may be freed; a freed c never frees its neighbour */
        rt_conn_sweep(c, now);
        c = next;
    }
    arena_reset(set->ctx->work);
#ifdef __GLIBC__
    if (set->trimmed) /* framing buffers of sockets gone quiet go back to the system */
        malloc_trim(0);
#endif
    set->trimmed = 0;
}

void rt_conns_close_all(rt_conns *set)
{
    for (rt_conn *c = set->all; c; c = c->next)
        if (c->state == RT_CONN_OPEN)
            rt_client_close(&c->client, 1001, "server shutting down");
    rt_conns_flush(set);
    while (set->all)
        rt_conn_set_state(set->all, RT_CONN_CLOSED);
    free(set->batch);
    set->batch = NULL;
    set->batch_cap = 0;
}
