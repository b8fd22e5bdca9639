/* One client connection and its state machine, changed only in
 * rt_conn_set_state: HANDSHAKE (reading the HTTP request) -> OPEN
 * (WebSocket, a protocol attached) -> CLOSING (a close frame or an HTTP
 * error reply is being written) -> CLOSED (freed). A connection that
 * queues more than REALTIME_OUTPUT_LIMIT bytes is dropped. */
#ifndef PGSTACK_RT_CONN_H
#define PGSTACK_RT_CONN_H

#include "realtime/rt_client.h"
#include "realtime/ae.h"
#include "realtime/rt_context.h"
#include "realtime/ws.h"

#include <stdbool.h>

typedef struct rt_conn rt_conn;

/* Every connection of the daemon, those with output waiting (written in
 * the loop's before-sleep hook, so a broadcast to N members is N queue
 * appends and one write pass), and the counts the caps need. */
typedef struct rt_conns {
    ae_loop *loop;
    rt_context *ctx;
    rt_conn *all;
    rt_conn *pending;
    size_t pending_count;
    struct rt_iothreads *io; /* NULL: the loop's thread writes everything */
    void **batch;            /* the rt_conn of a threaded write pass (rt_conns_flush) */
    size_t batch_len, batch_cap;
    size_t count;       /* every connection */
    size_t open_count;  /* past the handshake */
    rt_topics *by_addr; /* client address -> its open connections */
    size_t trimmed;     /* framing buffers given back since the last sweep */
} rt_conns;

typedef enum { RT_CONN_HANDSHAKE, RT_CONN_OPEN, RT_CONN_CLOSING, RT_CONN_CLOSED } rt_conn_state;

struct rt_conn {
    rt_client client; /* first: protocols see &conn->client */
    rt_conns *set;
    int fd;
    rt_conn_state state;
    bool opened; /* the protocol was attached */
    char peer[64];
    char *addr; /* client address after trusted proxies (per-address count) */
    rt_member addr_member;
    char *in; /* handshake bytes, then bytes read past the head */
    size_t in_len, in_off, in_cap;
    char *out; /* bytes to write: handshake or HTTP reply, then framed messages */
    size_t out_len, out_off, out_cap;
    int io_err; /* errno of the last write (0: none, or the socket was full) */
    ws_session *ws;
    long long created_ms, last_seen_ms, closing_ms;
    bool pending;
    bool in_batch; /* in set->batch at batch_slot during a threaded pass */
    size_t batch_slot;
    bool dropped;                    /* a slow consumer: closed at the next flush */
    struct phx_rest_wait *rest_wait; /* a REST broadcast waiting for its checks */
    char *rest_headers;              /* its CORS header lines (or NULL) */
    rt_conn *prev, *next, *next_pending;
};

/* A connection accepted on fd, added to set. */
rt_conn *rt_conn_new(rt_conns *set, int fd, const char *peer);
void rt_conn_set_state(rt_conn *c, rt_conn_state state);
/* Writes what is queued; arms or disarms the writable event. false: the
 * connection is closed and freed. */
bool rt_conn_flush(rt_conn *c);
/* The sweep: idle timeout, stalled handshake or close, token expiry. */
void rt_conn_sweep(rt_conn *c, long long now_ms);

/* Before each sleep: write what every pending connection has queued. */
void rt_conns_flush(rt_conns *set);
/* Once a second: rt_conn_sweep on every connection. */
void rt_conns_sweep(rt_conns *set);
/* Shutdown: a 1001 close to every open socket, then every connection freed. */
void rt_conns_close_all(rt_conns *set);

#endif
