/* WebSocket framing over libwslay's event API; see ws.h.
 *
 * Memory: a libwslay context holds two 4 KB buffers (and queues), more than
 * everything else a connection owns. It is created when the session first
 * reads or sends and freed again by ws_session_trim while the session is
 * quiet: nothing queued, no close under way, and the bytes read so far end
 * on a message boundary. Knowing the boundary takes a count of frame
 * lengths over the bytes handed to libwslay (ws_track below); libwslay
 * still parses and checks every frame. A message sent to a quiet session
 * is framed here instead (a server frame is a 2-10 byte header and the
 * payload, unmasked) into a buffer of its own, so that a broadcast to ten
 * thousand quiet sockets does not build ten thousand libwslay contexts. */
#include "realtime/ws.h"

#include "core/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

/* Where the bytes read so far end: inside a frame's header (hlen bytes of
 * it), inside its payload (left bytes to come), or inside a fragmented
 * message (no FIN yet). */
typedef struct ws_track {
    uint8_t hdr[14];
    uint8_t hlen;
    uint64_t left;
    bool fragmented;
} ws_track;

struct ws_session {
    wslay_event_context_ptr ctx; /* NULL while quiet (ws_session_trim) */
    ws_io io;
    void *user;
    size_t max_message, max_queued;
    ws_track track;
    uint8_t *direct; /* frames queued while there was no context */
    size_t direct_len, direct_off, direct_cap;
    bool eof;
};

/* Header bytes a frame needs, given the first have of them. */
static size_t ws_track_need(const uint8_t *h, size_t have)
{
    if (have < 2)
        return 2;
    size_t len7 = h[1] & 0x7f;
    return 2 + ((h[1] & 0x80) ? 4 : 0) + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
}

static void ws_track_header(ws_track *t)
{
    uint64_t n = t->hdr[1] & 0x7f;
    if (n == 126) {
        n = ((uint64_t)t->hdr[2] << 8) | t->hdr[3];
    } else if (n == 127) {
        n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | t->hdr[2 + i];
    }
    if ((t->hdr[0] & 0x0f) < 8) /* a data or continuation frame */
        t->fragmented = !(t->hdr[0] & 0x80);
    t->hlen = 0;
    t->left = n;
}

static void ws_track_feed(ws_track *t, const uint8_t *p, size_t len)
{
    while (len) {
        if (t->left) {
            size_t k = len < t->left ? len : (size_t)t->left;
            t->left -= k;
            p += k;
            len -= k;
            continue;
        }
        t->hdr[t->hlen++] = *p++;
        len--;
        if (t->hlen >= ws_track_need(t->hdr, t->hlen))
            ws_track_header(t);
    }
}

static bool ws_track_boundary(const ws_track *t)
{
    return t->hlen == 0 && t->left == 0 && !t->fragmented;
}

static ssize_t ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                          void *user_data)
{
    ws_session *s = user_data;
    ssize_t n = s->io.read(s->user, buf, len);
    if (n > 0) {
        ws_track_feed(&s->track, buf, (size_t)n);
        return n;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    s->eof = true;
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                          void *user_data)
{
    ws_session *s = user_data;
    ssize_t n = s->io.write(s->user, data, len);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static void ws_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                      void *user_data)
{
    ws_session *s = user_data;
    if (wslay_is_ctrl_frame(arg->opcode))
        return; /* ping/pong/close: wslay answers them */
    if (arg->rsv) {
        ws_session_close(s, WS_CLOSE_PROTOCOL_ERROR, "reserved bits set");
        return;
    }
    bool binary = arg->opcode == WSLAY_BINARY_FRAME;
    if (!binary && !utf8_valid((const char *)arg->msg, arg->msg_length)) {
        ws_session_close(s, WS_CLOSE_INVALID_DATA, "text frame is not valid UTF-8");
        return;
    }
    if (!wslay_event_get_close_sent(ctx))
        s->io.on_message(s->user, binary, arg->msg, arg->msg_length);
}

static const struct wslay_event_callbacks ws_callbacks = {
    .recv_callback = ws_recv_cb,
    .send_callback = ws_send_cb,
    .on_msg_recv_callback = ws_msg_cb,
};

/* The libwslay context, created when first needed; NULL without memory. */
static wslay_event_context_ptr ws_ctx(ws_session *s)
{
    if (!s->ctx && wslay_event_context_server_init(&s->ctx, &ws_callbacks, s) == 0)
        wslay_event_config_set_max_recv_msg_length(s->ctx, s->max_message);
    return s->ctx;
}

static size_t ws_direct_pending(const ws_session *s)
{
    return s->direct_len - s->direct_off;
}

/* One unfragmented server frame appended to the direct buffer. */
static bool ws_direct_queue(ws_session *s, bool binary, const void *data, size_t len)
{
    uint8_t head[10];
    size_t h = 2;
    head[0] = 0x80 | (binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME);
    if (len < 126) {
        head[1] = (uint8_t)len;
    } else if (len < 65536) {
        head[1] = 126;
        head[2] = (uint8_t)(len >> 8);
        head[3] = (uint8_t)len;
        h = 4;
    } else {
        head[1] = 127;
        for (int i = 0; i < 8; i++)
            head[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
        h = 10;
    }
    if (ws_direct_pending(s) + h + len > s->max_queued)
        return false;
    size_t need = s->direct_len + h + len;
    if (need > s->direct_cap) {
        size_t cap = s->direct_cap ? s->direct_cap * 2 : 256;
        while (cap < need)
            cap *= 2;
        uint8_t *bigger = realloc(s->direct, cap);
        if (!bigger)
            return false;
        s->direct = bigger;
        s->direct_cap = cap;
    }
    memcpy(s->direct + s->direct_len, head, h);
    memcpy(s->direct + s->direct_len + h, data, len);
    s->direct_len = need;
    return true;
}

/* Writes the direct frames (they come before anything libwslay queued).
 * false: the stream failed; *all: nothing is left. */
static bool ws_direct_flush(ws_session *s, bool *all)
{
    while (ws_direct_pending(s)) {
        ssize_t n = s->io.write(s->user, s->direct + s->direct_off, ws_direct_pending(s));
        if (n < 0) {
            *all = false;
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        }
        s->direct_off += (size_t)n;
    }
    free(s->direct);
    s->direct = NULL;
    s->direct_len = s->direct_off = s->direct_cap = 0;
    *all = true;
    return true;
}

ws_session *ws_session_new(const ws_io *io, void *user, size_t max_message, size_t max_queued)
{
    ws_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->io = *io;
    s->user = user;
    s->max_message = max_message;
    s->max_queued = max_queued;
    return s;
}

void ws_session_free(ws_session *s)
{
    if (!s)
        return;
    if (s->ctx)
        wslay_event_context_free(s->ctx);
    free(s->direct);
    free(s);
}

bool ws_session_trim(ws_session *s)
{
    if (!s->ctx)
        return false;
    if (!ws_track_boundary(&s->track) || wslay_event_want_write(s->ctx) ||
        wslay_event_get_close_sent(s->ctx) || wslay_event_get_close_received(s->ctx) ||
        !wslay_event_get_read_enabled(s->ctx))
        return false;
    wslay_event_context_free(s->ctx);
    s->ctx = NULL;
    return true;
}

bool ws_session_read(ws_session *s)
{
    if (!ws_ctx(s))
        return false;
    int rv = wslay_event_recv(s->ctx);
    if (rv != 0 || s->eof)
        return false;
    return wslay_event_want_read(s->ctx) || wslay_event_want_write(s->ctx);
}

bool ws_session_flush(ws_session *s)
{
    bool all;
    if (!ws_direct_flush(s, &all))
        return false;
    return !all || !s->ctx || wslay_event_send(s->ctx) == 0;
}

bool ws_session_wants_write(const ws_session *s)
{
    return ws_direct_pending(s) || (s->ctx && wslay_event_want_write(s->ctx));
}

bool ws_session_finished(const ws_session *s)
{
    if (s->eof)
        return true;
    if (!s->ctx || ws_direct_pending(s)) /* open both ways */
        return false;
    return !wslay_event_want_read(s->ctx) && !wslay_event_want_write(s->ctx);
}

bool ws_session_send(ws_session *s, bool binary, const void *data, size_t len)
{
    if (!s->ctx) /* quiet: framed here, no context needed */
        return ws_direct_queue(s, binary, data, len);
    if (wslay_event_get_close_sent(s->ctx))
        return false;
    if (ws_direct_pending(s) + wslay_event_get_queued_msg_length(s->ctx) + len > s->max_queued)
        return false;
    struct wslay_event_msg msg = {
        .opcode = binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME,
        .msg = data,
        .msg_length = len,
    };
    return wslay_event_queue_msg(s->ctx, &msg) == 0;
}

void ws_session_close(ws_session *s, uint16_t code, const char *reason)
{
    if (!ws_ctx(s) || wslay_event_get_close_sent(s->ctx))
        return;
    size_t n = reason ? strlen(reason) : 0;
    wslay_event_queue_close(s->ctx, code, (const uint8_t *)reason, n);
}

bool ws_session_close_sent(const ws_session *s)
{
    return s->ctx && wslay_event_get_close_sent(s->ctx);
}

size_t ws_session_queued(const ws_session *s)
{
    return ws_direct_pending(s) + (s->ctx ? wslay_event_get_queued_msg_length(s->ctx) : 0);
}
