/* The user of an OpenID Connect sign-in: the verified id_token; see
 * oauth_user.h. A token naming a key the cached set lacks is checked
 * once more against a freshly fetched set (key rotation). */
#include "auth/auth_settings.h"
#include "auth/id_token.h"
#include "auth/jwks_cache.h"
#include "auth/oauth_user.h"

#include <stdio.h>

static bool fail(oauth_user_failure *f, const char *code, const char *description)
{
    f->error_code = code;
    snprintf(f->description, sizeof f->description, "%s", description);
    return false;
}

bool auth_oidc_user_identify(arena *a, const auth_settings *cfg, const oauth_provider *p,
                             const oauth_endpoints *e, const oauth_tokens *tokens,
                             const char *nonce, const char *apple_user, time_t now,
                             oauth_identity *out, oauth_user_failure *failure)
{
    char why[256];
    if (!tokens->id_token)
        return fail(failure, "bad_id_token", "the provider returned no id_token");
    id_token_expect expect = {.issuer = e->issuer, .client_id = p->client_id, .nonce = nonce};
    json_object *claims = NULL;
    id_token_status st = ID_TOKEN_UNKNOWN_KEY;
    for (int attempt = 0; attempt < 2 && st == ID_TOKEN_UNKNOWN_KEY; attempt++) {
        const jwk_set *keys =
            auth_jwks_get(a, e->jwks_uri, cfg->oauth_timeout_s, now, attempt > 0, why, sizeof why);
        if (!keys)
            return fail(failure, "provider_unreachable", why);
        st = auth_id_token_verify(a, tokens->id_token, keys, &expect, now, &claims);
    }
    if (st != ID_TOKEN_OK)
        return fail(failure, "bad_id_token", auth_id_token_status_message(st));
    if (!auth_oauth_identity_from_claims(a, p->name, claims, apple_user, out))
        return fail(failure, "bad_id_token", auth_id_token_status_message(ID_TOKEN_NO_SUBJECT));
    return true;
}
