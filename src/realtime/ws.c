/* WebSocket framing over libwslay's event API; see ws.h. */
#include "realtime/ws.h"

#include "core/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

struct ws_session {
    wslay_event_context_ptr ctx;
    ws_io io;
    void *user;
    size_t max_queued;
    bool eof;
};

static ssize_t ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                          void *user_data)
{
    ws_session *s = user_data;
    ssize_t n = s->io.read(s->user, buf, len);
    if (n > 0)
        return n;
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

ws_session *ws_session_new(const ws_io *io, void *user, size_t max_message, size_t max_queued)
{
    static const struct wslay_event_callbacks callbacks = {
        .recv_callback = ws_recv_cb,
        .send_callback = ws_send_cb,
        .on_msg_recv_callback = ws_msg_cb,
    };
    ws_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->io = *io;
    s->user = user;
    s->max_queued = max_queued;
    if (wslay_event_context_server_init(&s->ctx, &callbacks, s) != 0) {
        free(s);
        return NULL;
    }
    wslay_event_config_set_max_recv_msg_length(s->ctx, max_message);
    return s;
}

void ws_session_free(ws_session *s)
{
    if (!s)
        return;
    wslay_event_context_free(s->ctx);
    free(s);
}

bool ws_session_read(ws_session *s)
{
    int rv = wslay_event_recv(s->ctx);
    if (rv != 0 || s->eof)
        return false;
    return wslay_event_want_read(s->ctx) || wslay_event_want_write(s->ctx);
}

bool ws_session_flush(ws_session *s)
{
    return wslay_event_send(s->ctx) == 0;
}

bool ws_session_wants_write(const ws_session *s)
{
    return wslay_event_want_write(s->ctx);
}

bool ws_session_finished(const ws_session *s)
{
    if (s->eof)
        return true;
    return !wslay_event_want_read(s->ctx) && !wslay_event_want_write(s->ctx);
}

bool ws_session_send(ws_session *s, bool binary, const void *data, size_t len)
{
    if (wslay_event_get_close_sent(s->ctx))
        return false;
    if (wslay_event_get_queued_msg_length(s->ctx) + len > s->max_queued)
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
    if (wslay_event_get_close_sent(s->ctx))
        return;
    size_t n = reason ? strlen(reason) : 0;
    wslay_event_queue_close(s->ctx, code, (const uint8_t *)reason, n);
}

bool ws_session_close_sent(const ws_session *s)
{
    return wslay_event_get_close_sent(s->ctx);
}

size_t ws_session_queued(const ws_session *s)
{
    return wslay_event_get_queued_msg_length(s->ctx);
}
