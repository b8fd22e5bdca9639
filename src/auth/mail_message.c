/* Email message building; see mail_message.h. */
#include "auth/mail_message.h"

#include "core/sbuf.h"
#include "core/utf8.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

/* Raw bytes per RFC 2047 encoded word: 39 bytes are 52 base64 characters,
 * a word of 64, so "Subject: " plus one word stays within 78 columns. */
#define WORD_BYTES 39
#define QP_LINE 76

bool auth_mail_address_safe(const char *address)
{
    size_t n = strlen(address);
    const char *at = strchr(address, '@');
    if (n < 3 || n > MAIL_ADDRESS_MAX || !at || at == address || !at[1] || strchr(at + 1, '@') ||
        at - address > 64)
        return false;
    for (const unsigned char *p = (const unsigned char *)address; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("()<>[]\\,;:\"", *p))
            return false;
    return true;
}

/* UTF-8 text without any control character, at most max bytes. */
static bool header_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !utf8_valid(s, n))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool printable_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

static const char *trim(arena *a, const char *s, size_t n)
{
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return arena_strndup(a, s, n);
}

bool auth_mail_from_parse(arena *a, const char *from, const char **name, const char **address)
{
    const char *lt = strchr(from, '<');
    *name = NULL;
    if (!lt) {
        *address = trim(a, from, strlen(from));
        return auth_mail_address_safe(*address);
    }
    const char *gt = strchr(lt, '>');
    if (!gt || *trim(a, gt + 1, strlen(gt + 1)))
        return false;
    *address = arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
    const char *n = trim(a, from, (size_t)(lt - from));
    size_t len = strlen(n);
    if (len >= 2 && n[0] == '"' && n[len - 1] == '"')
        n = arena_strndup(a, n + 1, len - 2);
    if (*n)
        *name = n;
    return auth_mail_address_safe(*address) && (!*name || header_text_ok(*name, MAIL_NAME_MAX));
}

/* Length of the longest prefix of s (at most max bytes) that ends on a
 * UTF-8 character boundary. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

/* s as RFC 2047 "B" encoded words, separated by folding whitespace. */
static void put_encoded_words(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    bool first = true;
    while (n > 0) {
        size_t k = utf8_prefix(s, n, WORD_BYTES);
        unsigned char out[4 * ((WORD_BYTES + 2) / 3) + 1];
        EVP_EncodeBlock(out, (const unsigned char *)s, (int)k);
        sbuf_printf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", (const char *)out);
        first = false;
        s += k;
        n -= k;
    }
}

static void put_display_name(sbuf *b, const char *name)
{
    if (!printable_ascii(name) || strstr(name, "=?")) {
        put_encoded_words(b, name);
        return;
    }
    sbuf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\')
            sbuf_putc(b, '\\');
        sbuf_putc(b, *p);
    }
    sbuf_putc(b, '"');
}

static void put_subject(sbuf *b, const char *subject)
{
    sbuf_puts(b, "Subject: ");
    if (printable_ascii(subject) && !strstr(subject, "=?") && strlen(subject) <= 78 - 9)
        sbuf_puts(b, subject);
    else
        put_encoded_words(b, subject);
    sbuf_puts(b, "\r\n");
}

static void put_date(sbuf *b, time_t when)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&when, &tm);
    sbuf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *random_message_id(arena *a, const char *from_address)
{
    unsigned char r[16];
    char hex[33];
    if (RAND_bytes(r, sizeof r) != 1)
        return NULL;
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    return arena_printf(a, "<%s@%s>", hex, strchr(from_address, '@') + 1);
}

static bool message_id_ok(const char *id)
{
    size_t n = strlen(id);
    return n >= 5 && n <= 250 && id[0] == '<' && id[n - 1] == '>' && printable_ascii(id) &&
           !strchr(id, ' ') && strchr(id, '@');
}

static bool qp_literal(unsigned char c, size_t col, bool line_end)
{
    if (c == ' ' || c == '\t')
        return !line_end;
    return c > 0x20 && c < 0x7f && c != '=' && !(c == '.' && col == 0);
}

/* One body line (without its line end) as quoted-printable. */
static void put_qp_line(sbuf *b, const unsigned char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        bool literal = qp_literal(s[i], col, i + 1 == n);
        size_t width = literal ? 1 : 3;
        if (col + width > QP_LINE - 1) {
            sbuf_puts(b, "=\r\n");
            col = 0;
            literal = qp_literal(s[i], col, i + 1 == n);
            width = literal ? 1 : 3;
        }
        if (literal)
            sbuf_putc(b, (char)s[i]);
        else
            sbuf_printf(b, "=%02X", s[i]);
        col += width;
    }
    sbuf_puts(b, "\r\n");
}

static void put_qp_body(sbuf *b, const char *body)
{
    const char *p = body;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!nl && n == 0)
            break;
        put_qp_line(b, (const unsigned char *)p, n);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Checks every part; NULL when fine, else the reason. */
static const char *message_problem(arena *a, const mail_message *m, const char **name,
                                   const char **from_address)
{
    if (!m->from || !auth_mail_from_parse(a, m->from, name, from_address))
        return "unusable sender address (SMTP_FROM)";
    if (!m->to || !auth_mail_address_safe(m->to))
        return "unusable recipient address";
    if (!m->subject || !header_text_ok(m->subject, MAIL_SUBJECT_MAX))
        return "unusable subject";
    if (!m->body || !utf8_valid(m->body, strlen(m->body)))
        return "body is not UTF-8 text";
    if (m->message_id && !message_id_ok(m->message_id))
        return "unusable message id";
    return NULL;
}

char *auth_mail_message_render(arena *a, const mail_message *m, const char **why)
{
    const char *name = NULL, *from_address = NULL;
    *why = message_problem(a, m, &name, &from_address);
    const char *id = m->message_id ? m->message_id : random_message_id(a, from_address);
    if (!*why && !id)
        *why = "no randomness for the message id";
    if (*why)
        return NULL;
    sbuf b;
    sbuf_init(&b, a, 1024 + 2 * strlen(m->body));
    put_date(&b, m->date ? m->date : time(NULL));
    sbuf_puts(&b, "From: ");
    if (name) {
        put_display_name(&b, name);
        sbuf_puts(&b, "\r\n");
    }
    sbuf_printf(&b, "%s<%s>\r\n", name ? " " : "", from_address);
    sbuf_printf(&b, "To: <%s>\r\n", m->to);
    put_subject(&b, m->subject);
    sbuf_printf(&b, "Message-ID: %s\r\n", id);
    sbuf_puts(&b, "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n"
                  "Auto-Submitted: auto-generated\r\n\r\n");
    put_qp_body(&b, m->body);
    return b.data;
}
