/* Fuzzes the rendering of an email (auth/mail_message): From with a
 * display name, To, Subject (quoted, or RFC 2047 encoded words), the
 * quoted-printable body. Input: NUL-separated from, to, subject, body.
 * Invariants for a rendered message: the header is printable ASCII with
 * CRLF line ends only, a continuation starts with a space, there are
 * exactly the headers pgstack writes (user
 * text never starts a header), every line at most 998 characters (RFC 5322)
 * and the subject's at most 78 (it is folded); decode(encode(x)) == x for the subject
 * (encoded words) and for the body (quoted-printable, lines at most 76). */
#include "harness.h"

#include "auth/mail_message.h"
#include "core/sbuf.h"

#include <openssl/evp.h>

static const char *const HEADERS[] = {
    "Date:",           "From:",         "To:",           "Subject:",
    "Message-ID:",     "MIME-Version:", "Content-Type:", "Content-Transfer-Encoding:",
    "Auto-Submitted:",
};
#define HEADER_COUNT (sizeof HEADERS / sizeof HEADERS[0])

/* Checks the header lines; returns the start of the body. */
static const char *check_header(const char *msg, const char **subject_line)
{
    const char *p = msg;
    size_t seen = 0;
    bool in_subject = false;
    for (;;) {
        const char *eol = strstr(p, "\r\n");
        FZ_ASSERT(eol, "header line without CRLF");
        size_t n = (size_t)(eol - p);
        if (n == 0)
            return eol + 2;
        FZ_ASSERT(n <= 998, "header line of %zu characters", n);
        for (const char *c = p; c < eol; c++)
            FZ_ASSERT(*c >= ' ' && *c < 127, "header byte 0x%02x", (unsigned char)*c);
        if (*p != ' ') {
            FZ_ASSERT(seen < HEADER_COUNT && strncmp(p, HEADERS[seen], strlen(HEADERS[seen])) == 0,
                      "unexpected header line: %.*s", (int)n, p);
            in_subject = seen == 3;
            if (in_subject)
                *subject_line = p + strlen("Subject: ");
            seen++;
        }
        FZ_ASSERT(!in_subject || n <= 78, "subject line of %zu characters", n);
        p = eol + 2;
    }
}

/* The subject as written: raw, or encoded words separated by CRLF SP. */
static char *decode_subject(arena *a, const char *s)
{
    const char *end = strstr(s, "\r\n");
    while (end && end[2] == ' ')
        end = strstr(end + 2, "\r\n");
    if (strncmp(s, "=?UTF-8?B?", 10) != 0)
        return arena_strndup(a, s, (size_t)(end - s));
    sbuf b;
    sbuf_init(&b, a, 256);
    while (s < end) {
        FZ_ASSERT(strncmp(s, "=?UTF-8?B?", 10) == 0, "not an encoded word: %s", s);
        const char *q = strstr(s + 10, "?=");
        size_t n = (size_t)(q - s - 10);
        unsigned char *out = arena_alloc(a, n + 1);
        int k = EVP_DecodeBlock(out, (const unsigned char *)s + 10, (int)n);
        FZ_ASSERT(k >= 0, "bad base64 in an encoded word");
        for (const char *t = q - 1; t > s + 10 && *t == '='; t--)
            k--; /* EVP_DecodeBlock counts the padding */
        sbuf_append(&b, (const char *)out, (size_t)k);
        s = q + 2;
        if (strncmp(s, "\r\n ", 3) == 0)
            s += 3;
    }
    return b.data;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The quoted-printable body decoded, CRLF as '\n'. */
static char *decode_body(arena *a, const char *s)
{
    sbuf b;
    sbuf_init(&b, a, strlen(s) + 1);
    size_t col = 0;
    while (*s) {
        if (s[0] == '\r' && s[1] == '\n') {
            FZ_ASSERT(col <= 76, "body line of %zu characters", col);
            sbuf_putc(&b, '\n');
            s += 2, col = 0;
        } else if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            FZ_ASSERT(col + 1 <= 76, "body line of %zu characters", col + 1);
            s += 3, col = 0;
        } else if (s[0] == '=') {
            FZ_ASSERT(hex(s[1]) >= 0 && hex(s[2]) >= 0, "bad quoted-printable escape");
            sbuf_putc(&b, (char)(hex(s[1]) * 16 + hex(s[2])));
            s += 3, col += 3;
        } else {
            FZ_ASSERT((*s >= ' ' && *s < 127) || *s == '\t', "raw body byte 0x%02x",
                      (unsigned char)*s);
            sbuf_putc(&b, *s++);
            col++;
        }
    }
    return b.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *f[4];
    fz_fields(data, size, f, 4);
    mail_message m = {.from = f[0],
                      .to = f[1],
                      .subject = f[2],
                      .body = f[3],
                      .date = 1,
                      .message_id = "<id@example.org>"};
    const char *why = NULL;
    char *msg = auth_mail_message_render(a, &m, &why);
    if (!msg) {
        FZ_ASSERT(why, "refused without a reason");
        return 0;
    }
    const char *subject = NULL;
    const char *body = check_header(msg, &subject);
    FZ_ASSERT(subject, "no subject");
    char *s = decode_subject(a, subject);
    FZ_ASSERT(strcmp(s, m.subject) == 0, "subject [%s] decodes to [%s]", m.subject, s);
    char *d = decode_body(a, body);
    size_t n = strlen(m.body);
    bool same = strcmp(d, m.body) == 0 ||
                (n && m.body[n - 1] != '\n' && strlen(d) == n + 1 && strncmp(d, m.body, n) == 0);
    FZ_ASSERT(same, "body [%s] decodes to [%s]", m.body, d);
    return 0;
}
