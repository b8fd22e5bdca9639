/* The OAuth `state` parameter: everything the callback needs to finish a
 * sign-in, sealed, so that workers stay stateless and nothing in it can be
 * read or changed on its way through the browser and the provider.
 *
 * Sealing is AES-256-GCM under a key derived from JWT_SECRET with
 * HKDF-SHA256 (info "pgstack oauth state v1": the key serves nothing else),
 * a fresh random 96-bit IV per state, and the version byte as additional
 * authenticated data. The text is
 *   base64url(0x01 || IV (12 bytes) || ciphertext || tag (16 bytes))
 * and the plaintext a JSON object
 *   {"provider", "redirect_to", "code_verifier", "nonce", "exp"}
 * plus, for a client in the PKCE flow, "client_challenge" and
 * "client_challenge_method" (its own code_challenge, answered at the
 * callback with ?code=), and "link_user" for linkIdentity. The same seal keeps the provider's
 * tokens of such a sign-in ("provider_token", "provider_refresh_token") in auth.flow_state until
 * the client exchanges its code. Encryption keeps the PKCE verifier and the nonce secret: a state
 * seen in a browser history, a proxy log or by the provider does not give the verifier away, so an
 * intercepted code stays useless. The tag makes any change, or a state sealed with another secret,
 * detectable. A state lives OAUTH_STATE_TTL_S seconds. */
#ifndef PGSTACK_AUTH_OAUTH_STATE_H
#define PGSTACK_AUTH_OAUTH_STATE_H

#include "core/arena.h"

#include <stdbool.h>
#include <time.h>

#define OAUTH_STATE_TTL_S 600
#define OAUTH_STATE_MAX 4096   /* longest state text accepted */
#define OAUTH_PARKED_MAX 65536 /* longest parked sign-in (provider tokens) */

typedef struct oauth_state {
    const char *provider;                /* google, github, apple, microsoft, oidc */
    const char *redirect_to;             /* an allowed URL, or NULL for SITE_URL */
    const char *code_verifier;           /* PKCE */
    const char *nonce;                   /* OpenID Connect; NULL for GitHub */
    long long expires_at;                /* Unix time */
    const char *client_challenge;        /* the client's PKCE challenge, or NULL */
    const char *client_challenge_method; /* s256 or plain */
    const char *provider_token;          /* parked sign-ins only */
    const char *provider_refresh_token;  /* parked sign-ins only, may be NULL */
    const char *link_user;               /* linkIdentity: the user to link to, or NULL */
} oauth_state;

typedef enum {
    OAUTH_STATE_OK = 0,
    OAUTH_STATE_MALFORMED,      /* not a state pgstack made: encoding, length, version */
    OAUTH_STATE_FORGED,         /* the tag does not verify: changed, or another secret */
    OAUTH_STATE_EXPIRED,        /* older than OAUTH_STATE_TTL_S */
    OAUTH_STATE_WRONG_PROVIDER, /* made for another provider than expected */
} oauth_state_status;

const char *auth_oauth_state_status_message(oauth_state_status st);

/* Whether s sealed is at most OAUTH_STATE_MAX characters (what
 * auth_oauth_state_open accepts). Every state /authorize makes fits (redirect_to
 * is at most REDIRECT_URL_MAX printable characters); fields of several
 * kilobytes would not. */
bool auth_oauth_state_fits(arena *a, const oauth_state *s);

/* The sealed text of s, or NULL when it does not fit or OpenSSL fails (no
 * randomness). */
char *auth_oauth_state_seal(arena *a, const char *secret, const oauth_state *s);

/* Opens text sealed with secret; expected_provider (NULL: any) must be the
 * state's provider; at time now it must not have expired. On
 * OAUTH_STATE_OK fills out (strings owned by the arena). */
oauth_state_status auth_oauth_state_open(arena *a, const char *secret, const char *text,
                                         const char *expected_provider, time_t now,
                                         oauth_state *out);

/* The same for the provider's tokens of a sign-in parked in
 * auth.flow_state (the database's copy, so longer texts are accepted). */
oauth_state_status auth_oauth_state_open_parked(arena *a, const char *secret, const char *text,
                                                time_t now, oauth_state *out);

#endif
