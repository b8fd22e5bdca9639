/* The custom access-token hook's name; see auth_hook.h. */
#include "auth/auth_hook.h"

#include <stdio.h>
#include <string.h>

#define PG_FUNCTIONS "pg-functions://postgres/"
#define IDENT_MAX 63

/* A plain identifier of n characters: [a-z_][a-z0-9_]*, at most 63. */
static bool plain_identifier(const char *s, size_t n)
{
    if (n == 0 || n > IDENT_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

bool auth_hook_name(const char *setting, char *out, size_t outlen, char *why, size_t whylen)
{
    const char *s = setting;
    char sep = '.';
    if (strncmp(s, PG_FUNCTIONS, strlen(PG_FUNCTIONS)) == 0) {
        s += strlen(PG_FUNCTIONS);
        sep = '/';
    }
    const char *dot = strchr(s, sep);
    if (!dot || !plain_identifier(s, (size_t)(dot - s)) ||
        !plain_identifier(dot + 1, strlen(dot + 1))) {
        snprintf(why, whylen,
                 "must be schema.function or pg-functions://postgres/schema/function "
                 "(lower-case identifiers)");
        return false;
    }
    snprintf(out, outlen, "%.*s.%s", (int)(dot - s), s, dot + 1);
    return true;
}

bool auth_hook_check(const char *value, char *why, size_t whylen)
{
    char name[2 * IDENT_MAX + 2];
    return !value || !*value || auth_hook_name(value, name, sizeof name, why, whylen);
}
