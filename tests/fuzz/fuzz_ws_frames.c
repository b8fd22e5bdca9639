/* Fuzzes the daemon's WebSocket framing (realtime/ws.c over libwslay) as a
 * client's byte stream feeds it: masked or unmasked frames, fragments,
 * control frames, close frames, oversized lengths, invalid UTF-8, cut off
 * anywhere. Every message that reaches the daemon is echoed back, as a
 * broadcast would be, so the send queue runs too. Invariants: a delivered
 * message is at most the session's message limit, a text message is
 * valid UTF-8, nothing is delivered after the session sent its close, the
 * queue never exceeds its bound, and the session ends once the stream does.
 * Input: byte 0 sets how many bytes one read returns (1-256), the rest is
 * the stream. Between reads the session is trimmed as the daemon's sweep
 * does (its libwslay context given back when quiet, made again on the next
 * read), so framing state that must survive a trim is fuzzed too. */
#include "harness.h"

#include "realtime/ws.h"

#include <errno.h>

#define FZ_WS_MAX_MESSAGE 4096
#define FZ_WS_MAX_QUEUED 16384

typedef struct fz_stream {
    const uint8_t *in;
    size_t len, pos, chunk;
    ws_session *session;
    size_t messages;
} fz_stream;

static ssize_t fz_read(void *ctx, uint8_t *buf, size_t len)
{
    fz_stream *s = ctx;
    size_t n = s->len - s->pos;
    if (n == 0)
        return 0; /* the client went away */
    if (n > s->chunk)
        n = s->chunk;
    if (n > len)
        n = len;
    memcpy(buf, s->in + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static ssize_t fz_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return (ssize_t)len;
}

static void fz_on_message(void *ctx, bool binary, const uint8_t *data, size_t len)
{
    fz_stream *s = ctx;
    FZ_ASSERT(len <= FZ_WS_MAX_MESSAGE, "a message of %zu bytes got through", len);
    FZ_ASSERT(binary || utf8_valid((const char *)data, len), "invalid UTF-8 text delivered");
    FZ_ASSERT(!ws_session_close_sent(s->session), "a message delivered after the close");
    s->messages++;
    ws_session_send(s->session, binary, data, len);
    FZ_ASSERT(ws_session_queued(s->session) <= FZ_WS_MAX_QUEUED, "queue past its bound");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    fz_stream s = {.in = data + 1, .len = size - 1, .chunk = (size_t)data[0] + 1};
    ws_io io = {.read = fz_read, .write = fz_write, .on_message = fz_on_message};
    s.session = ws_session_new(&io, &s, FZ_WS_MAX_MESSAGE, FZ_WS_MAX_QUEUED);
    FZ_ASSERT(s.session, "no session");
    /* as the daemon does: read, then flush what was queued (a close too) */
    for (size_t rounds = 0;; rounds++) {
        FZ_ASSERT(rounds <= size + 2, "the session reads forever");
        bool more = ws_session_read(s.session);
        if (!ws_session_flush(s.session) || !more)
            break;
        ws_session_trim(s.session); /* as the sweep does: quiet sessions give their context back */
    }
    FZ_ASSERT(s.pos == s.len || ws_session_close_sent(s.session),
              "stopped reading at %zu of %zu without sending a close", s.pos, s.len);
    ws_session_free(s.session);
    return 0;
}
