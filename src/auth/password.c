/* bcrypt password hashing and verification; see password.h. */
#include "auth/password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const char *auth_password_problem(const char *password)
{
    size_t n = strlen(password);
    if (n < PASSWORD_MIN_LENGTH)
        return "password must be at least 8 characters";
    if (n > PASSWORD_MAX_LENGTH)
        return "password must be at most 256 characters";
    return NULL;
}

char *auth_password_hash(arena *a, const char *password, int cost)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt))
        return NULL;
    struct crypt_data *data = calloc(1, sizeof(*data));
    char *out = crypt_r(password, salt, data);
    char *result = out && out[0] != '*' ? arena_strdup(a, out) : NULL;
    explicit_bzero(data, sizeof(*data));
    free(data);
    return result;
}

bool auth_password_verify(const char *password, const char *hash)
{
    if (!hash || (strncmp(hash, "$2a$", 4) != 0 && strncmp(hash, "$2b$", 4) != 0 &&
                  strncmp(hash, "$2y$", 4) != 0))
        return false;
    struct crypt_data *data = calloc(1, sizeof(*data));
    char *out = crypt_r(password, hash, data);
    size_t n = strlen(hash);
    bool ok = out && strlen(out) == n && CRYPTO_memcmp(out, hash, n) == 0;
    explicit_bzero(data, sizeof(*data));
    free(data);
    return ok;
}

void auth_password_burn(const char *password, int cost)
{
    static char fixed[CRYPT_OUTPUT_SIZE];
    static int fixed_cost = -1;
    if (fixed_cost != cost) {
        arena *a = arena_new(1024);
        char *h = auth_password_hash(a, "pgstack-timing-equalizer", cost);
        if (h)
            strncpy(fixed, h, sizeof fixed - 1);
        arena_free(a);
        fixed_cost = cost;
    }
    (void)auth_password_verify(password, fixed);
}
