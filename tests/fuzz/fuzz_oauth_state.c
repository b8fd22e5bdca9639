/* Fuzzes the sealed OAuth state (auth/oauth_state). Input: byte 0 picks
 * the provider, then NUL-separated state text, redirect_to, code_verifier,
 * nonce. Invariants: text that pgstack did not seal never opens; a state
 * is sealed exactly when it fits OAUTH_STATE_MAX (always for short fields)
 * and then opens to exactly those fields, and not for
 * another provider, with another secret, after it expired, or with any one
 * character changed. */
#include "harness.h"

#include "auth/oauth_state.h"

#define SECRET "0123456789abcdef0123456789abcdef-state-fuzz"
#define OTHER "fedcba9876543210fedcba9876543210-state-fuzz"
#define NOW ((time_t)1800000000)

static const char *const PROVIDERS[] = {"google", "github", "apple", "microsoft", "oidc"};

static bool same(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    const char *f[4];
    fz_fields(data + 1, size - 1, f, 4);
    const char *provider = PROVIDERS[data[0] % 5];
    oauth_state out;
    oauth_state_status st = auth_oauth_state_open(a, SECRET, f[0], NULL, NOW, &out);
    FZ_ASSERT(st != OAUTH_STATE_OK, "fuzzed text opened as a state: %s", f[0]);
    FZ_ASSERT(auth_oauth_state_status_message(st) != NULL, "status without message");

    for (int i = 1; i < 4; i++)
        if (!utf8_valid(f[i], strlen(f[i])))
            return 0;
    oauth_state s = {.provider = provider,
                     .redirect_to = f[1][0] ? f[1] : NULL,
                     .code_verifier = f[2],
                     .nonce = f[3][0] ? f[3] : NULL,
                     .expires_at = NOW + 600};
    char *text = auth_oauth_state_seal(a, SECRET, &s);
    FZ_ASSERT(!text == !auth_oauth_state_fits(a, &s),
              "sealed a state that does not fit, or not one "
              "that does");
    /* fields of 400 bytes in all always fit, even with every byte escaped */
    FZ_ASSERT(text || strlen(f[1]) + strlen(f[2]) + strlen(f[3]) > 400, "sealing failed");
    if (!text)
        return 0;
    st = auth_oauth_state_open(a, SECRET, text, provider, NOW, &out);
    FZ_ASSERT(st == OAUTH_STATE_OK, "own state refused: %s", auth_oauth_state_status_message(st));
    FZ_ASSERT(strcmp(out.provider, provider) == 0 && same(s.redirect_to, out.redirect_to) &&
                  same(s.code_verifier, out.code_verifier) && same(s.nonce, out.nonce) &&
                  out.expires_at == s.expires_at,
              "opened state differs from the sealed one");
    const char *other = PROVIDERS[(data[0] + 1) % 5];
    FZ_ASSERT(auth_oauth_state_open(a, SECRET, text, other, NOW, &out) ==
                  OAUTH_STATE_WRONG_PROVIDER,
              "opened for another provider");
    FZ_ASSERT(auth_oauth_state_open(a, OTHER, text, provider, NOW, &out) != OAUTH_STATE_OK,
              "opened with another secret");
    FZ_ASSERT(auth_oauth_state_open(a, SECRET, text, provider, NOW + 601, &out) ==
                  OAUTH_STATE_EXPIRED,
              "opened after it expired");
    size_t n = strlen(text), at = size % n;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    FZ_ASSERT(auth_oauth_state_open(a, SECRET, text, provider, NOW, &out) != OAUTH_STATE_OK,
              "opened with character %zu changed", at);
    return 0;
}
