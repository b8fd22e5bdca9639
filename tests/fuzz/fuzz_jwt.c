/* Fuzzes HMAC JWT verification (jwt/jwt_verify) and its pairing with
 * signing. Input: byte 0 picks the algorithm, then NUL-separated token and
 * claims JSON. Invariants: a token that verifies has an object payload
 * with a known string role; random text never verifies; claims signed with
 * the secret verify unless a claim check (time, role) refuses them, and
 * never with a different secret or with one signature byte changed. */
#include "harness.h"

#include "jwt/jwt_sign.h"
#include "jwt/jwt_verify.h"

#include <json-c/json.h>

#define SECRET "0123456789abcdef0123456789abcdef-jwt-fuzz"
#define OTHER "fedcba9876543210fedcba9876543210-jwt-fuzz"
#define NOW ((time_t)1800000000)

static const char *const ALGS[] = {"HS256", "HS384", "HS512"};

static void check_ok(jwt_status st, json_object *claims)
{
    if (st != JWT_OK)
        return;
    FZ_ASSERT(claims && json_object_is_type(claims, json_type_object), "claims not an object");
    json_object *role;
    FZ_ASSERT(json_object_object_get_ex(claims, "role", &role) &&
                  json_object_is_type(role, json_type_string) &&
                  jwt_role_known(json_object_get_string(role)),
              "verified token without a known role");
}

static bool claim_refusal(jwt_status st)
{
    return st == JWT_EXPIRED || st == JWT_NOT_YET_VALID || st == JWT_BAD_TIME_CLAIM ||
           st == JWT_MISSING_ROLE || st == JWT_UNKNOWN_ROLE || st == JWT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    const char *alg = ALGS[data[0] % 3];
    const char *f[2];
    fz_fields(data + 1, size - 1, f, 2);
    json_object *claims = NULL;
    jwt_status st = jwt_verify(a, f[0], SECRET, alg, NOW, &claims);
    FZ_ASSERT(jwt_status_message(st) != NULL, "status without message");
    FZ_ASSERT(st != JWT_OK || strlen(f[0]) > 40, "a short token verified: %s", f[0]);
    check_ok(st, claims);

    char *token = jwt_sign(a, f[1], SECRET, alg);
    if (!token)
        return 0;
    st = jwt_verify(a, token, SECRET, alg, NOW, &claims);
    FZ_ASSERT(claim_refusal(st) || st == JWT_MALFORMED, "signed claims refused: %s (%s)",
              jwt_status_message(st), f[1]);
    check_ok(st, claims);
    FZ_ASSERT(jwt_verify(a, token, OTHER, alg, NOW, &claims) != JWT_OK,
              "verified with another secret");
    size_t n = strlen(token);
    token[n - 2] = token[n - 2] == 'A' ? 'B' : 'A';
    FZ_ASSERT(jwt_verify(a, token, SECRET, alg, NOW, &claims) != JWT_OK,
              "verified with a changed signature");
    return 0;
}
