/* WebSocket framing for the daemon: the one file that knows libwslay. A
 * session turns bytes read from a byte stream into whole messages (text or
 * binary; fragments reassembled, pings answered, UTF-8 of text checked,
 * oversized messages refused with close code 1009) and queues messages to
 * send, bounded: a message that would push the queue past its limit is
 * refused so the caller can drop the slow consumer. The stream itself is
 * the caller's (ws_io), so nothing here knows sockets. An idle session
 * holds no libwslay context (ws_session_trim). */
#ifndef PGSTACK_RT_WS_H
#define PGSTACK_RT_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_PROTOCOL_ERROR 1002
#define WS_CLOSE_UNSUPPORTED 1003
#define WS_CLOSE_INVALID_DATA 1007
#define WS_CLOSE_POLICY 1008
#define WS_CLOSE_TOO_BIG 1009
#define WS_CLOSE_SERVER_ERROR 1011

typedef struct ws_io {
    /* Like recv/send on a non-blocking stream: bytes moved, 0 for end of
     * stream (read only), -1 with errno (EAGAIN: try later). */
    ssize_t (*read)(void *ctx, uint8_t *buf, size_t len);
    ssize_t (*write)(void *ctx, const uint8_t *buf, size_t len);
    /* A whole message arrived. */
    void (*on_message)(void *ctx, bool binary, const uint8_t *data, size_t len);
} ws_io;

typedef struct ws_session ws_session;

ws_session *ws_session_new(const ws_io *io, void *ctx, size_t max_message, size_t max_queued);
void ws_session_free(ws_session *s);

/* Reads what the stream has and dispatches messages. false: the session is
 * over (stream closed, protocol error, close handshake finished). */
bool ws_session_read(ws_session *s);
/* Writes queued frames. false: the stream failed. */
bool ws_session_flush(ws_session *s);
bool ws_session_wants_write(const ws_session *s);
/* true when nothing more will be read or written (close done both ways, or
 * close sent and the peer gone). */
bool ws_session_finished(const ws_session *s);

/* Queues one message; false when the session is closing or the queue would
 * exceed max_queued bytes (a slow consumer). */
bool ws_session_send(ws_session *s, bool binary, const void *data, size_t len);
/* Queues a close frame with code and reason; nothing more is sent after it. */
void ws_session_close(ws_session *s, uint16_t code, const char *reason);
bool ws_session_close_sent(const ws_session *s);
/* A quiet session (nothing queued, no close under way, no message half
 * read) gives its libwslay context back; the next read or send makes a
 * new one. true when a context was given back now. */
bool ws_session_trim(ws_session *s);
size_t ws_session_queued(const ws_session *s);

#endif
