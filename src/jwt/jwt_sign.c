/* JWT signing through libjwt; see jwt_sign.h. */
#include "jwt/jwt_sign.h"

#include <jwt.h>
#include <stdlib.h>
#include <string.h>

char *jwt_sign(arena *a, const char *claims_json, const char *secret, const char *algorithm)
{
    jwt_t *jwt = NULL;
    char *result = NULL;
    jwt_alg_t alg = jwt_str_alg(algorithm);
    if (alg != JWT_ALG_HS256 && alg != JWT_ALG_HS384 && alg != JWT_ALG_HS512)
        return NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grants_json(jwt, claims_json) == 0 &&
        jwt_set_alg(jwt, alg, (const unsigned char *)secret, (int)strlen(secret)) == 0) {
        char *token = jwt_encode_str(jwt);
        if (token) {
            result = arena_strdup(a, token);
            free(token);
        }
    }
    jwt_free(jwt);
    return result;
}
