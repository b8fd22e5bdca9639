/* Fuzzes JWK Set parsing (auth/jwk): the document an OpenID provider
 * publishes, parsed as JSON, then each key turned into an OpenSSL key.
 * Invariants: a set that parses has only RSA and P-256 keys, each with an
 * OpenSSL key of that type; a refusal says why. */
#include "harness.h"

#include "auth/jwk.h"
#include "core/json_text.h"

#include <openssl/evp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    json_object *doc = json_arena_owned(a, json_parse_exact((const char *)data, size));
    if (!doc)
        return 0;
    jwk_set set = {0};
    const char *why = NULL;
    if (!auth_jwk_set_parse(a, doc, &set, &why)) {
        FZ_ASSERT(why, "a refused set without a reason");
        return 0;
    }
    for (size_t i = 0; i < set.count; i++) {
        const jwk_key *k = &set.keys[i];
        FZ_ASSERT(k->pkey, "key %zu without an OpenSSL key", i);
        FZ_ASSERT(k->type == JWK_RSA ? EVP_PKEY_is_a(k->pkey, "RSA")
                                     : k->type == JWK_EC_P256 && EVP_PKEY_is_a(k->pkey, "EC"),
                  "key %zu of the wrong type", i);
    }
    auth_jwk_set_free(&set);
    /* a single object on its own */
    jwk_type type;
    EVP_PKEY *k = auth_jwk_to_pkey(a, doc, &type, &why);
    FZ_ASSERT(k || why, "a refused key without a reason");
    EVP_PKEY_free(k);
    return 0;
}
