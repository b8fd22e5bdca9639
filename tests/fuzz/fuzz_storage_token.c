/* Fuzzes signed-URL tokens (storage_token_verify, storage_token_sign).
 * Byte 0 picks the mode. Forgery mode (even): the rest is NUL-separated
 * token text, url and scope; an arbitrary text must never verify (only
 * tokens signed with the storage key do, and none is signed here).
 * Round-trip mode (odd): NUL-separated url, scope, owner and an expiry
 * byte; a signed token verifies for exactly its url and scope before it
 * expires, carries its owner back, is refused for any other url, after
 * expiry, and once one character of it changes (not a segment's last,
 * whose low bits are base64 padding). */
#include "harness.h"

#include "storage/token.h"

static storage_settings settings(void)
{
    storage_settings s;
    memset(&s, 0, sizeof s);
    s.jwt_secret = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
    return s;
}

static void forgery(arena *a, const storage_settings *s, const uint8_t *data, size_t size)
{
    const char *f[3];
    fz_fields(data, size, f, 3);
    storage_token out;
    token_status st = storage_token_verify(a, s, f[0], f[1], f[2], 1000, &out);
    FZ_ASSERT(st != TOKEN_OK, "an unsigned text verified: '%s'", f[0]);
}

static void round_trip(arena *a, const storage_settings *s, const uint8_t *data, size_t size)
{
    const char *f[4];
    fz_fields(data, size, f, 4);
    if (!utf8_valid(f[0], strlen(f[0])) || !utf8_valid(f[2], strlen(f[2])))
        return; /* urls and owners are UTF-8 by the time they are signed */
    const char *scope = f[1][0] & 1 ? "upload" : "download";
    long ttl = 1 + (unsigned char)f[3][0];
    storage_token t = {.url = f[0], .scope = scope, .owner = f[2], .expires_in = ttl};
    char *tok = storage_token_sign(a, s, &t, 1000);
    FZ_ASSERT(tok, "signing failed for url '%s'", f[0]);
    storage_token out;
    FZ_ASSERT(storage_token_verify(a, s, tok, f[0], scope, 1000 + ttl - 1, &out) == TOKEN_OK,
              "own token refused");
    FZ_ASSERT(strcmp(out.url, f[0]) == 0, "url changed");
    if (f[2][0])
        FZ_ASSERT(out.owner && strcmp(out.owner, f[2]) == 0, "owner changed");
    const char *other = arena_printf(a, "%sx", f[0]);
    FZ_ASSERT(storage_token_verify(a, s, tok, other, scope, 1000, &out) != TOKEN_OK,
              "token opened another url");
    FZ_ASSERT(storage_token_verify(a, s, tok, f[0], scope, 1000 + ttl + 1, &out) == TOKEN_EXPIRED,
              "expired token accepted");
    /* not the last character of a segment: its low bits are base64 padding */
    size_t n = strlen(tok), i = (unsigned char)f[3][0] % (n - 1);
    if (tok[i + 1] == '.')
        i = i ? i - 1 : 0;
    tok[i] = tok[i] == 'A' ? 'B' : 'A';
    FZ_ASSERT(storage_token_verify(a, s, tok, f[0], scope, 1000, &out) != TOKEN_OK,
              "tampered token accepted (byte %zu)", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    storage_settings s = settings();
    if (data[0] & 1)
        round_trip(a, &s, data + 1, size - 1);
    else
        forgery(a, &s, data + 1, size - 1);
    return 0;
}
