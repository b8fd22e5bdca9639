/* WebSocket sessions over an in-memory stream: a quiet session frames what
 * it sends without a libwslay context; it gives its context back only at a
 * message boundary (not inside a frame, not between the fragments of a
 * message); messages read across several reads arrive whole. Also the
 * parsing of a Realtime Authorization answer. */
#include "realtime/phx_authz.h"
#include "realtime/ws.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

void register_realtime_ws_tests(void);

typedef struct ws_test_io {
    uint8_t in[4096];
    size_t in_len, in_off;
    uint8_t out[4096];
    size_t out_len;
    char last[256];
    int messages;
} ws_test_io;

static ssize_t ws_test_read(void *ctx, uint8_t *buf, size_t len)
{
    ws_test_io *t = ctx;
    if (t->in_off == t->in_len) {
        errno = EAGAIN;
        return -1;
    }
    size_t n = t->in_len - t->in_off < len ? t->in_len - t->in_off : len;
    memcpy(buf, t->in + t->in_off, n);
    t->in_off += n;
    return (ssize_t)n;
}

static ssize_t ws_test_write(void *ctx, const uint8_t *buf, size_t len)
{
    ws_test_io *t = ctx;
    memcpy(t->out + t->out_len, buf, len);
    t->out_len += len;
    return (ssize_t)len;
}

static void ws_test_message(void *ctx, bool binary, const uint8_t *data, size_t len)
{
    ws_test_io *t = ctx;
    (void)binary;
    snprintf(t->last, sizeof(t->last), "%.*s", (int)len, (const char *)data);
    t->messages++;
}

static const ws_io ws_test_ops = {ws_test_read, ws_test_write, ws_test_message};

/* A masked client frame (mask key 0) appended to the input. */
static size_t ws_test_frame(ws_test_io *t, int opcode, bool fin, const char *payload)
{
    size_t n = strlen(payload), start = t->in_len;
    t->in[t->in_len++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    t->in[t->in_len++] = (uint8_t)(0x80 | n);
    memset(t->in + t->in_len, 0, 4);
    t->in_len += 4;
    memcpy(t->in + t->in_len, payload, n);
    t->in_len += n;
    return t->in_len - start;
}

static void test_quiet_send(void)
{
    ws_test_io t = {0};
    ws_session *s = ws_session_new(&ws_test_ops, &t, 65536, 1000);
    CU_ASSERT_TRUE(ws_session_send(s, false, "hi", 2));
    CU_ASSERT_TRUE(ws_session_wants_write(s));
    CU_ASSERT_EQUAL(ws_session_queued(s), 4);
    CU_ASSERT_FALSE(ws_session_trim(s)); /* no context was made */
    CU_ASSERT_TRUE(ws_session_flush(s));
    CU_ASSERT_EQUAL(t.out_len, 4);
    CU_ASSERT_EQUAL(memcmp(t.out, "\x81\x02hi", 4), 0);
    CU_ASSERT_FALSE(ws_session_wants_write(s));
    char big[300];
    memset(big, 'x', sizeof(big));
    CU_ASSERT_TRUE(ws_session_send(s, true, big, sizeof(big)));
    CU_ASSERT_TRUE(ws_session_flush(s));
    CU_ASSERT_EQUAL(t.out[4], 0x82); /* binary, 16-bit length */
    CU_ASSERT_EQUAL(t.out[5], 126);
    CU_ASSERT_EQUAL((t.out[6] << 8) | t.out[7], 300);
    CU_ASSERT_FALSE(ws_session_send(s, false, big, 999)); /* over max_queued: refused */
    ws_session_free(s);
}

static void test_trim_at_boundaries(void)
{
    ws_test_io t = {0};
    ws_session *s = ws_session_new(&ws_test_ops, &t, 65536, 100000);
    size_t n = ws_test_frame(&t, 1, true, "hello");
    t.in_len -= n - 3; /* half a frame */
    ws_session_read(s);
    CU_ASSERT_EQUAL(t.messages, 0);
    CU_ASSERT_FALSE(ws_session_trim(s)); /* inside a frame: kept */
    t.in_len += n - 3;
    ws_session_read(s);
    CU_ASSERT_EQUAL(t.messages, 1);
    CU_ASSERT_STRING_EQUAL(t.last, "hello");
    CU_ASSERT_TRUE(ws_session_trim(s)); /* at a boundary: given back */
    ws_test_frame(&t, 1, false, "ab");  /* a fragmented message */
    ws_session_read(s);
    CU_ASSERT_FALSE(ws_session_trim(s));
    ws_test_frame(&t, 0, true, "cd");
    ws_session_read(s);
    CU_ASSERT_EQUAL(t.messages, 2);
    CU_ASSERT_STRING_EQUAL(t.last, "abcd");
    CU_ASSERT_TRUE(ws_session_trim(s));
    ws_test_frame(&t, 9, true, "p"); /* a ping: the pong is queued */
    ws_session_read(s);
    CU_ASSERT_FALSE(ws_session_trim(s));
    CU_ASSERT_TRUE(ws_session_flush(s));
    CU_ASSERT_EQUAL(t.out[t.out_len - 3], 0x8a);
    CU_ASSERT_TRUE(ws_session_trim(s));
    ws_session_free(s);
}

static void test_authz_parse(void)
{
    CU_ASSERT_EQUAL(phx_authz_parse("{}"), 0);
    CU_ASSERT_EQUAL(phx_authz_parse("{read:broadcast}"), PHX_AUTHZ_READ_BROADCAST);
    CU_ASSERT_EQUAL(phx_authz_parse("{read:broadcast,read:presence,write:broadcast,"
                                    "write:presence}"),
                    PHX_AUTHZ_READ | PHX_AUTHZ_WRITE_BROADCAST | PHX_AUTHZ_WRITE_PRESENCE);
    CU_ASSERT_EQUAL(phx_authz_parse("{write:presence,nonsense}"), PHX_AUTHZ_WRITE_PRESENCE);
    CU_ASSERT_EQUAL(phx_authz_parse(NULL), 0);
    CU_ASSERT_EQUAL(phx_authz_parse("read:broadcast"), 0);
}

void register_realtime_ws_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime_ws", NULL, NULL);
    CU_add_test(s, "a quiet session frames what it sends without a context", test_quiet_send);
    CU_add_test(s, "the context is given back only at message boundaries", test_trim_at_boundaries);
    CU_add_test(s, "Realtime Authorization answers", test_authz_parse);
}
