/* pgstack keygen: prints, in the configuration-file format, a fresh
 * JWT_SECRET (48 random bytes from OpenSSL, base64url) and the ANON_KEY and
 * SERVICE_ROLE_KEY signed with it (HS256, iss "pgstack", ten-year expiry).
 * With --secret, signs the keys for an existing secret instead. With
 * --signing-key, prints a new ES256 key as a JWK set for JWT_SIGNING_KEYS
 * (jwt/jwt_keys.h): one key, marked to sign. */
#include "cli/cli.h"

#include "core/arena.h"
#include "core/json_text.h"
#include "jwt/base64url.h"
#include "jwt/jwt_keys.h"
#include "jwt/jwt_sign.h"

#include <json-c/json.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECRET_BYTES 48
#define KEY_LIFETIME_SECONDS (10L * 365 * 24 * 3600)

static char *make_key(arena *a, const char *role, const char *secret, time_t now)
{
    json_object *claims = json_object_new_object();
    json_object_object_add(claims, "iss", json_object_new_string("pgstack"));
    json_object_object_add(claims, "role", json_object_new_string(role));
    json_object_object_add(claims, "iat", json_object_new_int64((int64_t)now));
    json_object_object_add(claims, "exp",
                           json_object_new_int64((int64_t)now + KEY_LIFETIME_SECONDS));
    char *token = jwt_sign(a, json_text(a, claims), secret, "HS256");
    json_object_put(claims);
    return token;
}

static int signing_key(void)
{
    arena *a = arena_new(4096);
    char *set = a ? jwt_keys_generate_es256(a) : NULL;
    if (set)
        printf("%s\n", set);
    else
        fputs("pgstack keygen: OpenSSL could not make a key\n", stderr);
    arena_free(a);
    return set ? 0 : 1;
}

int cli_keygen(int argc, char **argv)
{
    char secret[128];
    if (argc == 2 && strcmp(argv[1], "--signing-key") == 0)
        return signing_key();
    if (argc == 3 && strcmp(argv[1], "--secret") == 0) {
        if (strlen(argv[2]) < 32 || strlen(argv[2]) >= sizeof secret) {
            fputs("pgstack keygen: --secret must be 32 to 127 characters\n", stderr);
            return 2;
        }
        strcpy(secret, argv[2]);
    } else if (argc == 1) {
        unsigned char bytes[SECRET_BYTES];
        if (RAND_bytes(bytes, sizeof bytes) != 1) {
            fputs("pgstack keygen: OpenSSL could not provide random bytes\n", stderr);
            return 1;
        }
        base64url_encode(bytes, sizeof bytes, secret);
    } else {
        fputs("usage: pgstack keygen [--secret SECRET | --signing-key]\n", stderr);
        return 2;
    }
    arena *a = arena_new(4096);
    time_t now = time(NULL);
    char *anon = make_key(a, "anon", secret, now);
    char *service = make_key(a, "service_role", secret, now);
    int rc = 1;
    if (anon && service) {
        printf("JWT_SECRET=%s\nANON_KEY=%s\nSERVICE_ROLE_KEY=%s\n", secret, anon, service);
        rc = 0;
    } else {
        fputs("pgstack keygen: could not sign the keys\n", stderr);
    }
    arena_free(a);
    return rc;
}
