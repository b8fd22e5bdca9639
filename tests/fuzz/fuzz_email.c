/* Fuzzes email address checks: auth_email_address_valid (sign-up, sign-in),
 * auth_mail_address_safe and auth_mail_from_parse (SMTP_FROM). Invariants: an
 * accepted address is printable ASCII without space, with exactly one '@'
 * and text on both sides, at most 254 characters; the address of a From
 * that parses is itself safe, and its display name has no CR or LF. */
#include "harness.h"

#include "auth/email_address.h"
#include "auth/mail_message.h"

static void check_address(const char *s, size_t max)
{
    size_t n = strlen(s), at = 0;
    FZ_ASSERT(n > 0 && n <= max, "accepted address of %zu characters", n);
    for (size_t i = 0; i < n; i++) {
        FZ_ASSERT(s[i] > ' ' && s[i] < 127, "accepted address with byte 0x%02x",
                  (unsigned char)s[i]);
        at += s[i] == '@';
    }
    const char *p = strchr(s, '@');
    FZ_ASSERT(at == 1 && p != s && p[1], "accepted address without one '@' between text: %s", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const char *s;
    fz_fields(data, size, &s, 1);
    if (auth_email_address_valid(s))
        check_address(s, 254);
    if (auth_mail_address_safe(s))
        check_address(s, MAIL_ADDRESS_MAX);
    const char *name = NULL, *address = NULL;
    if (auth_mail_from_parse(a, s, &name, &address)) {
        FZ_ASSERT(address && auth_mail_address_safe(address), "From address unsafe: %s", s);
        FZ_ASSERT(!name || !strpbrk(name, "\r\n"), "From display name with a line break");
    }
    return 0;
}
