/* Unit tests of the auth emails: message building (header injection
 * through every header, long and UTF-8 subjects and display names, long
 * addresses, quoted-printable bodies with long links), the templates, and
 * delivery into a Maildir spool and to an SMTP server that is not there. */
#include "unit.h"

#include "auth/auth_settings.h"
#include "auth/mail_message.h"
#include "auth/mail_template.h"
#include "auth/mail_transport.h"
#include "core/arena.h"
#include "core/config.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static arena *A;

static int setup(void)
{
    A = arena_new(8192);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static const char *render(const char *from, const char *to, const char *subject, const char *body,
                          const char **why)
{
    mail_message m = {.from = from,
                      .to = to,
                      .subject = subject,
                      .body = body,
                      .date = 1,
                      .message_id = "<id@example.org>"};
    return auth_mail_message_render(A, &m, why);
}

static bool refused(const char *from, const char *to, const char *subject, const char *body)
{
    const char *why = NULL;
    return render(from, to, subject, body, &why) == NULL && why != NULL;
}

/* Every line ends with CRLF, no bare CR or LF, none longer than max. */
static bool lines_ok(const char *text, size_t max)
{
    const char *p = text;
    while (*p) {
        const char *crlf = strstr(p, "\r\n");
        if (!crlf)
            return false;
        size_t n = (size_t)(crlf - p);
        if (n > max || memchr(p, '\r', n) || memchr(p, '\n', n))
            return false;
        p = crlf + 2;
    }
    return true;
}

/* The header block (up to the blank line), and the body after it. */
static const char *headers_of(const char *text)
{
    const char *end = strstr(text, "\r\n\r\n");
    return end ? arena_strndup(A, text, (size_t)(end - text) + 2) : NULL;
}

static const char *body_of(const char *text)
{
    const char *end = strstr(text, "\r\n\r\n");
    return end ? end + 4 : NULL;
}

/* The unfolded value of header name ("Subject"), or NULL. */
static char *header_value(const char *text, const char *name)
{
    const char *h = headers_of(text);
    size_t n = strlen(name);
    for (const char *p = h; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (strncmp(p, name, n) == 0 && p[n] == ':') {
            char *out = arena_alloc(A, strlen(h) + 1), *o = out;
            const char *q = p + n + 1;
            for (;;) {
                const char *e = strstr(q, "\r\n");
                memcpy(o, q, (size_t)(e - q));
                o += e - q;
                if (e[2] != ' ' && e[2] != '\t')
                    break;
                q = e + 2;
            }
            *o = '\0';
            return out;
        }
        p = eol + 2;
    }
    return NULL;
}

/* How many header lines start with name: (an injected header shows up). */
static int header_count(const char *text, const char *name)
{
    const char *h = headers_of(text);
    int count = 0;
    size_t n = strlen(name);
    for (const char *p = h; p && *p; p = strstr(p, "\r\n") + 2)
        count += strncasecmp(p, name, n) == 0 && p[n] == ':';
    return count;
}

/* Decodes a value made of RFC 2047 B-words (and ASCII outside them). */
static const char *decode_words(const char *v)
{
    char *out = arena_alloc(A, strlen(v) + 1), *o = out;
    while (*v == ' ')
        v++;
    while (*v) {
        if (strncmp(v, "=?UTF-8?B?", 10) == 0) {
            const char *start = v + 10, *end = strstr(start, "?=");
            unsigned char buf[256];
            int n = EVP_DecodeBlock(buf, (const unsigned char *)start, (int)(end - start));
            int pad = (end - start >= 1 && end[-1] == '=') + (end - start >= 2 && end[-2] == '=');
            CU_ASSERT_TRUE(end - start <= 64); /* a word stays within 75 characters */
            memcpy(o, buf, (size_t)(n - pad));
            o += n - pad;
            v = end + 2;
            while (*v == ' ')
                v++;
        } else {
            *o++ = *v++;
        }
    }
    *o = '\0';
    return out;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Quoted-printable back to text with '\n' line ends. */
static const char *decode_qp(const char *s)
{
    char *out = arena_alloc(A, strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=') {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            *o++ = '\n';
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* ---- message building ---- */

static void test_basic_message(void)
{
    const char *why = NULL;
    const char *m = render("pgstack <noreply@localhost>", "user@example.com", "Hello",
                           "line one\nline two\n", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(lines_ok(m, 998));
    CU_ASSERT_STRING_EQUAL(header_value(m, "Date"), " Thu, 01 Jan 1970 00:00:01 +0000");
    CU_ASSERT_STRING_EQUAL(header_value(m, "From"), " \"pgstack\" <noreply@localhost>");
    CU_ASSERT_STRING_EQUAL(header_value(m, "To"), " <user@example.com>");
    CU_ASSERT_STRING_EQUAL(header_value(m, "Subject"), " Hello");
    CU_ASSERT_STRING_EQUAL(header_value(m, "Message-ID"), " <id@example.org>");
    CU_ASSERT_STRING_EQUAL(header_value(m, "Content-Type"), " text/plain; charset=UTF-8");
    CU_ASSERT_STRING_EQUAL(header_value(m, "Content-Transfer-Encoding"), " quoted-printable");
    CU_ASSERT_STRING_EQUAL(body_of(m), "line one\r\nline two\r\n");
}

static void test_random_message_id(void)
{
    mail_message m = {.from = "a@b.example", .to = "c@d.example", .subject = "s", .body = "b"};
    const char *why = NULL;
    const char *text = auth_mail_message_render(A, &m, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *id = header_value(text, "Message-ID");
    CU_ASSERT_EQUAL(strlen(id), strlen(" <@b.example>") + 32);
    CU_ASSERT_PTR_NOT_NULL(strstr(id, "@b.example>"));
    CU_ASSERT_PTR_NOT_NULL(header_value(text, "Date"));
}

static void test_injection_in_recipient(void)
{
    const char *from = "a@b.example";
    CU_ASSERT_TRUE(refused(from, "victim@example.com\r\nBcc: all@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "victim@example.com\nBcc: all@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "victim@example.com\rBcc: all@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "victim@example.com\r\n\r\nbody", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a@example.com, b@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a@example.com,b@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a@example.com;b@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "<a@example.com>", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "Name <a@example.com>", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "\"a\"@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a@b@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a@", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "noat.example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "a\tb@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "\xc3\xa9@example.com", "s", "b"));
    CU_ASSERT_TRUE(refused(from, "", "s", "b"));
    CU_ASSERT_TRUE(refused(from, NULL, "s", "b"));
}

static void test_injection_in_subject(void)
{
    const char *from = "a@b.example", *to = "c@d.example";
    CU_ASSERT_TRUE(refused(from, to, "Hi\r\nBcc: all@example.com", "b"));
    CU_ASSERT_TRUE(refused(from, to, "Hi\nBcc: all@example.com", "b"));
    CU_ASSERT_TRUE(refused(from, to, "Hi\rBcc: all@example.com", "b"));
    CU_ASSERT_TRUE(refused(from, to, "Hi\r\n\r\nfake body", "b"));
    CU_ASSERT_TRUE(refused(from, to, "tab\there", "b"));
    CU_ASSERT_TRUE(refused(from, to, "del\x7f", "b"));
    CU_ASSERT_TRUE(refused(from, to, "esc\x1b[31m", "b"));
    /* U+0085 NEXT LINE and U+2028 LINE SEPARATOR are text; encoded, never raw */
    const char *why = NULL;
    const char *m = render(from, to,
                           "a\xc2\x85"
                           "b\xe2\x80\xa8"
                           "c",
                           "b", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(lines_ok(m, 998));
    CU_ASSERT_PTR_NULL(strstr(headers_of(m), "\xc2\x85"));
    CU_ASSERT_STRING_EQUAL(decode_words(header_value(m, "Subject")), "a\xc2\x85"
                                                                     "b\xe2\x80\xa8"
                                                                     "c");
}

static void test_injection_in_sender(void)
{
    const char *to = "c@d.example";
    CU_ASSERT_TRUE(refused("Evil\r\nBcc: all@example.com <a@b.example>", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Evil\n <a@b.example>", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name <a@b.example>\r\nBcc: x@y.example", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name <a@b.example\r\n>", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name <a@b.example> trailing", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name <a b@example.com>", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name <a@b.example", to, "s", "b"));
    CU_ASSERT_TRUE(refused("Name", to, "s", "b"));
    CU_ASSERT_TRUE(refused(NULL, to, "s", "b"));
    /* quotes and backslashes in an ASCII name are escaped in a quoted string */
    const char *why = NULL;
    const char *m = render("Say \"hi\" \\o/ <a@b.example>", to, "s", "b", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(header_value(m, "From"), " \"Say \\\"hi\\\" \\\\o/\" <a@b.example>");
    CU_ASSERT_EQUAL(header_count(m, "Bcc"), 0);
}

static void test_injection_in_message_id(void)
{
    mail_message m = {.from = "a@b.example",
                      .to = "c@d.example",
                      .subject = "s",
                      .body = "b",
                      .message_id = "<x@y>\r\nBcc: all@example.com"};
    const char *why = NULL;
    CU_ASSERT_PTR_NULL(auth_mail_message_render(A, &m, &why));
    m.message_id = "no-brackets@y";
    CU_ASSERT_PTR_NULL(auth_mail_message_render(A, &m, &why));
}

static void test_long_subject(void)
{
    char subject[MAIL_SUBJECT_MAX + 2];
    for (size_t i = 0; i < sizeof subject - 1; i++)
        subject[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    subject[MAIL_SUBJECT_MAX] = '\0';
    const char *why = NULL;
    const char *m = render("a@b.example", "c@d.example", subject, "b", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(lines_ok(headers_of(m), 78));
    CU_ASSERT_STRING_EQUAL(decode_words(header_value(m, "Subject")), subject);
    subject[MAIL_SUBJECT_MAX] = 'x';
    subject[MAIL_SUBJECT_MAX + 1] = '\0';
    CU_ASSERT_TRUE(refused("a@b.example", "c@d.example", subject, "b"));
    /* a short ASCII subject stays readable; one that looks encoded does not */
    m = render("a@b.example", "c@d.example", "=?UTF-8?B?SGk=?=", "b", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(decode_words(header_value(m, "Subject")), "=?UTF-8?B?SGk=?=");
}

static void test_utf8_subject_and_name(void)
{
    const char *subject = "Gr\xc3\xbc\xc3\x9f"
                          "e \xe2\x80\x94 \xe4\xbd\xa0\xe5\xa5\xbd "
                          "\xf0\x9f\x8e\x89 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
                          "\xd0\xbc\xd0\xb8\xd1\x80 \xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81"
                          "\xa1\xe3\x81\xaf \xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80";
    const char *name = "Caf\xc3\xa9 \xe2\x98\x95 \xe4\xbd\xa0\xe5\xa5\xbd";
    const char *from = arena_printf(A, "%s <noreply@cafe.example>", name);
    const char *why = NULL;
    const char *m = render(from, "c@d.example", subject,
                           "Gr\xc3\xbc\xc3\x9f"
                           "e\n",
                           &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(lines_ok(headers_of(m), 78));
    for (const unsigned char *p = (const unsigned char *)m; *p; p++)
        CU_ASSERT_TRUE_FATAL(*p < 0x80); /* 7-bit on the wire */
    CU_ASSERT_STRING_EQUAL(decode_words(header_value(m, "Subject")), subject);
    char *f = header_value(m, "From");
    CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(f, " <noreply@cafe.example>"));
    *strstr(f, " <noreply@cafe.example>") = '\0';
    CU_ASSERT_STRING_EQUAL(decode_words(f), name);
    CU_ASSERT_STRING_EQUAL(decode_qp(body_of(m)), "Gr\xc3\xbc\xc3\x9f"
                                                  "e\n");
}

static void test_invalid_utf8_refused(void)
{
    const char *from = "a@b.example", *to = "c@d.example";
    CU_ASSERT_TRUE(refused(from, to, "bad \xff", "b"));
    CU_ASSERT_TRUE(refused(from, to, "overlong \xc0\xaf", "b"));
    CU_ASSERT_TRUE(refused(from, to, "surrogate \xed\xa0\x80", "b"));
    CU_ASSERT_TRUE(refused(from, to, "cut \xe2\x82", "b"));
    CU_ASSERT_TRUE(refused("Bad \xff <a@b.example>", to, "s", "b"));
    CU_ASSERT_TRUE(refused(from, to, "s", "body \xc3"));
}

static void test_long_addresses(void)
{
    char local[70], to[300];
    memset(local, 'l', 64);
    local[64] = '\0';
    snprintf(to, sizeof to, "%s@example.com", local);
    const char *why = NULL;
    CU_ASSERT_PTR_NOT_NULL(render("a@b.example", to, "s", "b", &why));
    memset(local, 'l', 65);
    local[65] = '\0';
    snprintf(to, sizeof to, "%s@example.com", local);
    CU_ASSERT_TRUE(refused("a@b.example", to, "s", "b"));
    /* 254 characters pass, 255 do not */
    char domain[260];
    memset(domain, 'd', sizeof domain);
    size_t dlen = 254 - 2 - 4; /* "x@" + domain + ".com" */
    domain[dlen] = '\0';
    snprintf(to, sizeof to, "x@%s.com", domain);
    CU_ASSERT_EQUAL(strlen(to), 254);
    CU_ASSERT_TRUE(auth_mail_address_safe(to));
    const char *m = render("a@b.example", to, "s", "b", &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(lines_ok(m, 998));
    snprintf(to, sizeof to, "xy@%s.com", domain);
    CU_ASSERT_EQUAL(strlen(to), 255);
    CU_ASSERT_FALSE(auth_mail_address_safe(to));
    CU_ASSERT_TRUE(refused(to, "c@d.example", "s", "b"));
}

static void test_quoted_printable_body(void)
{
    char body[4000];
    int n = snprintf(body, sizeof body,
                     ".starts with a dot\nequals = sign\ntrailing space \n"
                     "tab\tinside\nhttps://api.example/auth/v1/verify?token=");
    for (; n < 3500; n++)
        body[n] = (char)('A' + n % 26);
    snprintf(body + n, sizeof body - (size_t)n, "&redirect_to=x\n\xe2\x82\xac\n");
    const char *why = NULL;
    const char *m = render("a@b.example", "c@d.example", "s", body, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const char *b = body_of(m);
    CU_ASSERT_TRUE(lines_ok(b, 76));
    CU_ASSERT_PTR_NULL(strstr(b, "\r\n."));
    CU_ASSERT_EQUAL(strncmp(b, "=2Estarts", 9), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "equals =3D sign"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "trailing space=20\r\n"));
    CU_ASSERT_STRING_EQUAL(decode_qp(b), body);
}

static void test_from_parse(void)
{
    const char *name, *address;
    CU_ASSERT_TRUE(auth_mail_from_parse(A, "pgstack <noreply@localhost>", &name, &address));
    CU_ASSERT_STRING_EQUAL(name, "pgstack");
    CU_ASSERT_STRING_EQUAL(address, "noreply@localhost");
    CU_ASSERT_TRUE(auth_mail_from_parse(A, "noreply@x.example", &name, &address));
    CU_ASSERT_PTR_NULL(name);
    CU_ASSERT_STRING_EQUAL(address, "noreply@x.example");
    CU_ASSERT_TRUE(auth_mail_from_parse(A, "<noreply@x.example>", &name, &address));
    CU_ASSERT_PTR_NULL(name);
    CU_ASSERT_TRUE(auth_mail_from_parse(A, "\"Support, Team\" <s@x.example>", &name, &address));
    CU_ASSERT_STRING_EQUAL(name, "Support, Team");
    CU_ASSERT_FALSE(auth_mail_from_parse(A, "a@b.example, c@d.example", &name, &address));
    CU_ASSERT_FALSE(auth_mail_from_parse(A, "x <>", &name, &address));
}

/* ---- templates ---- */

static void test_templates(void)
{
    static const mail_kind kinds[] = {MAIL_CONFIRMATION, MAIL_MAGIC_LINK, MAIL_RECOVERY,
                                      MAIL_EMAIL_CHANGE};
    const char *link = "https://api.example/auth/v1/verify?token=TOKEN123&type=x";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        mail_text t =
            auth_mail_template(A, kinds[i], "https://site.example", link, "TOKEN123", "042917");
        CU_ASSERT_PTR_NOT_NULL_FATAL(t.subject);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t.body);
        CU_ASSERT_PTR_NOT_NULL(strstr(t.body, link));
        CU_ASSERT_PTR_NOT_NULL(strstr(t.body, "\n\n042917\n\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(t.body, "https://site.example"));
        CU_ASSERT_PTR_NULL(strchr(t.body, '\r'));
        const char *why = NULL;
        const char *m =
            render("pgstack <noreply@localhost>", "u@example.com", t.subject, t.body, &why);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_TRUE(lines_ok(m, 998));
        CU_ASSERT_STRING_EQUAL(decode_qp(body_of(m)), t.body);
    }
    mail_text r = auth_mail_template(A, MAIL_RECOVERY, "https://s", "https://l", "CODE42", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\n\nCODE42\n\n"));
}

/* ---- delivery ---- */

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static char *only_file(const char *dir)
{
    DIR *d = opendir(dir);
    char *path = NULL;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.')
            path = arena_printf(A, "%s/%s", dir, e->d_name);
    if (d)
        closedir(d);
    return path;
}

static void remove_spool(const char *root)
{
    const char *subs[] = {"new", "tmp"};
    for (size_t i = 0; i < 2; i++) {
        const char *dir = arena_printf(A, "%s/%s", root, subs[i]);
        char *f;
        while ((f = only_file(dir)))
            unlink(f);
        rmdir(dir);
    }
    rmdir(root);
}

static void test_spool_delivery(void)
{
    char base[] = "/tmp/pgstack-mail-test-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
    char *spool = arena_printf(A, "%s/spool", base); /* created on first use */
    auth_settings cfg = {.mail_spool_dir = spool, .smtp_timeout_s = 5};
    char why[256] = "";
    const char *text = "Subject: one\r\n\r\nfirst\r\n";
    CU_ASSERT_TRUE(
        auth_mail_transport_send(&cfg, "a@b.example", "c@d.example", text, why, sizeof why));
    CU_ASSERT_TRUE(
        auth_mail_transport_send(&cfg, "a@b.example", "c@d.example", text, why, sizeof why));
    CU_ASSERT_EQUAL(count_files(arena_printf(A, "%s/new", spool)), 2);
    CU_ASSERT_EQUAL(count_files(arena_printf(A, "%s/tmp", spool)), 0);
    char *path = only_file(arena_printf(A, "%s/new", spool));
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    char buf[128] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, text);
    remove_spool(spool);
    rmdir(base);
}

static void test_spool_failure(void)
{
    auth_settings cfg = {.mail_spool_dir = "/proc/pgstack-no-such-dir/mail", .smtp_timeout_s = 5};
    char why[256] = "";
    CU_ASSERT_FALSE(
        auth_mail_transport_send(&cfg, "a@b.example", "c@d.example", "x\r\n", why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "mail spool"));
    cfg.mail_spool_dir = "";
    CU_ASSERT_FALSE(
        auth_mail_transport_send(&cfg, "a@b.example", "c@d.example", "x\r\n", why, sizeof why));
}

static void test_smtp_unreachable(void)
{
    auth_settings cfg = {.smtp_url = "smtp://127.0.0.1:1",
                         .smtp_user = "user",
                         .smtp_pass = "s3cret-Passw0rd",
                         .smtp_timeout_s = 5,
                         .mail_spool_dir = "/nonexistent"};
    char why[256] = "";
    CU_ASSERT_FALSE(
        auth_mail_transport_send(&cfg, "a@b.example", "c@d.example", "x\r\n", why, sizeof why));
    CU_ASSERT_EQUAL(strncmp(why, "SMTP: ", 6), 0);
    CU_ASSERT_PTR_NULL(strstr(why, "s3cret"));
}

void register_auth_mail_tests(void)
{
    CU_pSuite s = CU_add_suite("auth_mail", setup, teardown);
    CU_add_test(s, "basic message", test_basic_message);
    CU_add_test(s, "random message id", test_random_message_id);
    CU_add_test(s, "header injection: recipient", test_injection_in_recipient);
    CU_add_test(s, "header injection: subject", test_injection_in_subject);
    CU_add_test(s, "header injection: sender", test_injection_in_sender);
    CU_add_test(s, "header injection: message id", test_injection_in_message_id);
    CU_add_test(s, "long subject folded", test_long_subject);
    CU_add_test(s, "UTF-8 subject and display name", test_utf8_subject_and_name);
    CU_add_test(s, "invalid UTF-8 refused", test_invalid_utf8_refused);
    CU_add_test(s, "long addresses", test_long_addresses);
    CU_add_test(s, "quoted-printable body", test_quoted_printable_body);
    CU_add_test(s, "SMTP_FROM parsing", test_from_parse);
    CU_add_test(s, "templates", test_templates);
    CU_add_test(s, "Maildir spool delivery", test_spool_delivery);
    CU_add_test(s, "spool failure reported", test_spool_failure);
    CU_add_test(s, "SMTP server unreachable", test_smtp_unreachable);
}
