/* Email address validation; see email_address.h. */
#include "auth/email_address.h"

#include <string.h>

#define EMAIL_MAX_LENGTH 254
#define LOCAL_MAX_LENGTH 64

static bool atom_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool local_part_valid(const char *s, size_t n)
{
    if (n == 0 || n > LOCAL_MAX_LENGTH || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !atom_char(s[i]))
            return false;
    }
    return true;
}

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool domain_valid(const char *s)
{
    size_t label = 0, labels = 1;
    char prev = '.';
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (label == 0 || prev == '-')
                return false;
            label = 0;
            labels++;
        } else {
            if (!label_char(*p) || (label == 0 && *p == '-') || ++label > 63)
                return false;
        }
        prev = *p;
    }
    return label > 0 && prev != '-' && labels >= 2;
}

bool auth_email_address_valid(const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n == 0 || n > EMAIL_MAX_LENGTH || !at || strchr(at + 1, '@'))
        return false;
    return local_part_valid(email, (size_t)(at - email)) && domain_valid(at + 1);
}
