/* Unit tests of JWT verification and base64url. Valid tokens come from
 * jwt_sign; hostile ones are built by hand (base64url + OpenSSL HMAC) so any
 * header, payload and signature can be crafted: expired, not yet valid,
 * wrong secret, tampered, alg none/other algorithms, malformed segments,
 * non-object JSON, missing or unknown roles, oversized garbage. */
#include "unit.h"

#include "core/arena.h"
#include "jwt/base64url.h"
#include "jwt/jwt_keys.h"
#include "jwt/jwt_sign.h"
#include "jwt/jwt_verify.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECRET "0123456789abcdef0123456789abcdef-jwt-unit"
#define OTHER_SECRET "fedcba9876543210fedcba9876543210-jwt-unit"
#define NOW ((time_t)1700000000)

static arena *A;

static int setup(void)
{
    A = arena_new(8192);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static char *b64(const void *data, size_t n)
{
    char *out = arena_alloc(A, base64url_encoded_len(n) + 1);
    base64url_encode(data, n, out);
    return out;
}

static char *b64s(const char *s)
{
    return b64(s, strlen(s));
}

static const EVP_MD *md_for(const char *alg)
{
    if (strcmp(alg, "HS384") == 0)
        return EVP_sha384();
    if (strcmp(alg, "HS512") == 0)
        return EVP_sha512();
    return EVP_sha256();
}

/* HMAC signature (base64url) of signing_input with secret. */
static char *sign_input(const char *signing_input, const char *secret, const char *alg)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md_for(alg), secret, (int)strlen(secret), (const unsigned char *)signing_input,
         strlen(signing_input), mac, &len);
    return b64(mac, len);
}

/* A token from raw header and payload texts, signed with secret by mac_alg. */
static char *craft(const char *header, const char *payload, const char *secret, const char *mac_alg)
{
    char *input = arena_printf(A, "%s.%s", b64s(header), b64s(payload));
    return arena_printf(A, "%s.%s", input, sign_input(input, secret, mac_alg));
}

/* Signs already-encoded segments (to craft non-canonical or odd encodings). */
static char *craft_encoded(const char *h64, const char *p64, const char *secret)
{
    char *input = arena_printf(A, "%s.%s", h64, p64);
    return arena_printf(A, "%s.%s", input, sign_input(input, secret, "HS256"));
}

#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static char *craft256(const char *payload)
{
    return craft(HS256_HEADER, payload, SECRET, "HS256");
}

static jwt_status verify(const char *token, const char *alg, json_object **claims)
{
    json_object *dummy = NULL;
    return jwt_verify(A, token, SECRET, alg, NOW, claims ? claims : &dummy);
}

static void expect(const char *what, const char *token, const char *alg, jwt_status want)
{
    jwt_status got = verify(token, alg, NULL);
    CU_ASSERT_EQUAL(got, want);
    if (got != want)
        fprintf(stderr, "\n  %s: jwt_verify = %d (%s), want %d (%s)\n", what, got,
                jwt_status_message(got), want, jwt_status_message(want));
}

/* ---- valid tokens ---- */

static void test_valid_signed(void)
{
    static const char *algs[] = {"HS256", "HS384", "HS512"};
    for (size_t i = 0; i < 3; i++) {
        char *tok = jwt_sign(A, "{\"role\":\"authenticated\",\"sub\":\"u-1\",\"exp\":1800000000}",
                             SECRET, algs[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
        json_object *claims = NULL;
        CU_ASSERT_EQUAL_FATAL(verify(tok, algs[i], &claims), JWT_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(claims);
        CU_ASSERT(json_object_is_type(claims, json_type_object));
        json_object *v;
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(claims, "role", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "authenticated");
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(claims, "sub", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "u-1");
    }
    /* jwt_sign refuses non-HMAC algorithms */
    CU_ASSERT_PTR_NULL(jwt_sign(A, "{\"role\":\"anon\"}", SECRET, "none"));
    CU_ASSERT_PTR_NULL(jwt_sign(A, "{\"role\":\"anon\"}", SECRET, "RS256"));
}

static void test_valid_crafted(void)
{
    /* the hand-made tokens are right when nothing is wrong with them */
    json_object *claims = NULL;
    CU_ASSERT_EQUAL(verify(craft256("{\"role\":\"anon\"}"), "HS256", &claims), JWT_OK);
    CU_ASSERT_EQUAL(
        verify(craft("{\"alg\":\"HS384\"}", "{\"role\":\"service_role\"}", SECRET, "HS384"),
               "HS384", &claims),
        JWT_OK);
    CU_ASSERT_EQUAL(
        verify(craft("{\"alg\":\"HS512\"}", "{\"role\":\"anon\",\"x\":[1,{}]}", SECRET, "HS512"),
               "HS512", &claims),
        JWT_OK);
    /* unicode in claims, whitespace in the JSON */
    CU_ASSERT_EQUAL(verify(craft(" { \"alg\" : \"HS256\" } ",
                                 "\n{ \"role\": \"anon\", \"name\": \"caf\xc3\xa9 \\u20ac\" }\n",
                                 SECRET, "HS256"),
                           "HS256", &claims),
                    JWT_OK);
    /* a large payload */
    size_t n = 50000;
    char *big = arena_alloc(A, n + 64);
    strcpy(big, "{\"role\":\"anon\",\"pad\":\"");
    size_t len = strlen(big);
    memset(big + len, 'p', n);
    strcpy(big + len + n, "\"}");
    CU_ASSERT_EQUAL(verify(craft256(big), "HS256", &claims), JWT_OK);
}

static void test_known_roles(void)
{
    CU_ASSERT_TRUE(jwt_role_known("anon"));
    CU_ASSERT_TRUE(jwt_role_known("authenticated"));
    CU_ASSERT_TRUE(jwt_role_known("service_role"));
    CU_ASSERT_FALSE(jwt_role_known("admin"));
    CU_ASSERT_FALSE(jwt_role_known(""));
    CU_ASSERT_FALSE(jwt_role_known("Anon"));
    CU_ASSERT_FALSE(jwt_role_known("anon "));
    CU_ASSERT_FALSE(jwt_role_known("postgres"));
    expect("role anon", craft256("{\"role\":\"anon\"}"), "HS256", JWT_OK);
    expect("role authenticated", craft256("{\"role\":\"authenticated\"}"), "HS256", JWT_OK);
    expect("role service_role", craft256("{\"role\":\"service_role\"}"), "HS256", JWT_OK);
}

/* ---- time claims ---- */

static void test_time_claims(void)
{
    char p[128];
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"exp\":%ld}", (long)NOW - 1);
    expect("exp in the past", craft256(p), "HS256", JWT_EXPIRED);
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"exp\":%ld}", (long)NOW);
    expect("exp == now", craft256(p), "HS256", JWT_EXPIRED);
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"exp\":%ld}", (long)NOW + 1);
    expect("exp in the future", craft256(p), "HS256", JWT_OK);
    expect("exp 0", craft256("{\"role\":\"anon\",\"exp\":0}"), "HS256", JWT_EXPIRED);
    expect("exp negative", craft256("{\"role\":\"anon\",\"exp\":-1}"), "HS256", JWT_EXPIRED);
    expect("exp fractional future", craft256("{\"role\":\"anon\",\"exp\":1800000000.5}"), "HS256",
           JWT_OK);
    expect("exp huge", craft256("{\"role\":\"anon\",\"exp\":9223372036854775807}"), "HS256",
           JWT_OK);
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"exp\":%ld.5}", (long)NOW - 1);
    expect("exp fractional past", craft256(p), "HS256", JWT_EXPIRED);

    expect("exp as string", craft256("{\"role\":\"anon\",\"exp\":\"9999999999\"}"), "HS256",
           JWT_BAD_TIME_CLAIM);
    expect("exp null", craft256("{\"role\":\"anon\",\"exp\":null}"), "HS256", JWT_BAD_TIME_CLAIM);
    expect("exp bool", craft256("{\"role\":\"anon\",\"exp\":true}"), "HS256", JWT_BAD_TIME_CLAIM);
    expect("exp object", craft256("{\"role\":\"anon\",\"exp\":{}}"), "HS256", JWT_BAD_TIME_CLAIM);
    expect("exp array", craft256("{\"role\":\"anon\",\"exp\":[1800000000]}"), "HS256",
           JWT_BAD_TIME_CLAIM);
    expect("nbf as string", craft256("{\"role\":\"anon\",\"nbf\":\"0\"}"), "HS256",
           JWT_BAD_TIME_CLAIM);

    snprintf(p, sizeof p, "{\"role\":\"anon\",\"nbf\":%ld}", (long)NOW + 60);
    expect("nbf in the future", craft256(p), "HS256", JWT_NOT_YET_VALID);
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"nbf\":%ld}", (long)NOW);
    expect("nbf == now", craft256(p), "HS256", JWT_OK);
    snprintf(p, sizeof p, "{\"role\":\"anon\",\"nbf\":%ld,\"exp\":%ld}", (long)NOW - 60,
             (long)NOW + 60);
    expect("nbf past, exp future", craft256(p), "HS256", JWT_OK);
    /* time is checked against the given now, not the clock */
    json_object *c = NULL;
    CU_ASSERT_EQUAL(
        jwt_verify(A, craft256("{\"role\":\"anon\",\"exp\":1000}"), SECRET, "HS256", 999, &c),
        JWT_OK);
}

/* ---- signatures ---- */

static void test_signatures(void)
{
    const char *payload = "{\"role\":\"anon\",\"exp\":1800000000}";
    expect("wrong secret", craft(HS256_HEADER, payload, OTHER_SECRET, "HS256"), "HS256",
           JWT_BAD_SIGNATURE);
    /* jwt_sign with another secret */
    char *tok = jwt_sign(A, payload, OTHER_SECRET, "HS256");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    expect("signed with other secret", tok, "HS256", JWT_BAD_SIGNATURE);

    /* tampered payload with the old signature */
    char *good = craft256("{\"role\":\"anon\"}");
    const char *sig = strrchr(good, '.') + 1;
    char *tampered =
        arena_printf(A, "%s.%s.%s", b64s(HS256_HEADER), b64s("{\"role\":\"service_role\"}"), sig);
    expect("tampered payload", tampered, "HS256", JWT_BAD_SIGNATURE);
    /* tampered header (still HS256) with the old signature */
    tampered =
        arena_printf(A, "%s.%s.%s", b64s("{\"alg\":\"HS256\"}"), b64s("{\"role\":\"anon\"}"), sig);
    expect("tampered header", tampered, "HS256", JWT_BAD_SIGNATURE);

    /* signature cut, extended, or one character changed */
    size_t glen = strlen(good);
    expect("signature cut", arena_strndup(A, good, glen - 1), "HS256", JWT_BAD_SIGNATURE);
    expect("signature extended", arena_printf(A, "%sAAAA", good), "HS256", JWT_BAD_SIGNATURE);
    char *flip = arena_strdup(A, good);
    flip[glen - 5] = flip[glen - 5] == 'A' ? 'B' : 'A';
    expect("signature changed", flip, "HS256", JWT_BAD_SIGNATURE);
    /* HS256 header but an HS512 MAC */
    expect("MAC of another algorithm", craft(HS256_HEADER, "{\"role\":\"anon\"}", SECRET, "HS512"),
           "HS256", JWT_BAD_SIGNATURE);
    /* empty signature with the right algorithm */
    expect("empty signature",
           arena_printf(A, "%s.%s.", b64s(HS256_HEADER), b64s("{\"role\":\"anon\"}")), "HS256",
           JWT_BAD_SIGNATURE);
    /* a signature made with an empty secret */
    expect("empty secret", craft(HS256_HEADER, "{\"role\":\"anon\"}", "", "HS256"), "HS256",
           JWT_BAD_SIGNATURE);
}

static void test_signature_noncanonical(void)
{
    /* the last character of an HS256 signature (43 chars) carries 2 unused
     * bits; setting them must not give a second valid spelling */
    char *good = craft256("{\"role\":\"anon\"}");
    size_t n = strlen(good);
    static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int v = (int)(strchr(ALPHA, good[n - 1]) - ALPHA);
    CU_ASSERT_EQUAL(v & 3, 0);
    char *odd = arena_strdup(A, good);
    odd[n - 1] = ALPHA[v | 1];
    jwt_status st = verify(odd, "HS256", NULL);
    CU_ASSERT_NOT_EQUAL(st, JWT_OK);
    if (st == JWT_OK)
        fprintf(stderr, "\n  non-canonical signature accepted: %s\n", odd);
}

static void test_signature_chars(void)
{
    char *good = craft256("{\"role\":\"anon\"}");
    char *dot = strrchr(good, '.');
    char *sig = dot + 1;
    char *prefix = arena_strndup(A, good, (size_t)(dot - good));
    expect("signature with '='", arena_printf(A, "%s.%s=", prefix, sig), "HS256", JWT_MALFORMED);
    expect("signature with '+'", arena_printf(A, "%s.+%s", prefix, sig + 1), "HS256",
           JWT_MALFORMED);
    expect("signature with '/'", arena_printf(A, "%s./%s", prefix, sig + 1), "HS256",
           JWT_MALFORMED);
    expect("signature with space", arena_printf(A, "%s. %s", prefix, sig), "HS256", JWT_MALFORMED);
    expect("trailing newline", arena_printf(A, "%s\n", good), "HS256", JWT_MALFORMED);
    expect("leading space", arena_printf(A, " %s", good), "HS256", JWT_MALFORMED);
}

/* ---- algorithms ---- */

static void test_algorithms(void)
{
    const char *payload = "{\"role\":\"service_role\"}";
    /* alg none with an empty signature */
    char *none =
        arena_printf(A, "%s.%s.", b64s("{\"alg\":\"none\",\"typ\":\"JWT\"}"), b64s(payload));
    expect("alg none", none, "HS256", JWT_BAD_ALGORITHM);
    none = arena_printf(A, "%s.%s.", b64s("{\"alg\":\"None\"}"), b64s(payload));
    expect("alg None", none, "HS256", JWT_BAD_ALGORITHM);
    none = arena_printf(A, "%s.%s.", b64s("{\"alg\":\"NONE\"}"), b64s(payload));
    expect("alg NONE", none, "HS256", JWT_BAD_ALGORITHM);
    /* alg none with a (valid HS256) signature */
    expect("alg none signed", craft("{\"alg\":\"none\"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg empty", craft("{\"alg\":\"\"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg lower case", craft("{\"alg\":\"hs256\"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg with space", craft("{\"alg\":\"HS256 \"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    /* "HS256\u0000" is not "HS256" (C string comparison would say it is) */
    CU_ASSERT_NOT_EQUAL(
        verify(craft("{\"alg\":\"HS256\\u0000\"}", payload, SECRET, "HS256"), "HS256", NULL),
        JWT_OK);
    expect("alg RS256", craft("{\"alg\":\"RS256\"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg number", craft("{\"alg\":256}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg null", craft("{\"alg\":null}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("alg array", craft("{\"alg\":[\"HS256\"]}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("header without alg", craft("{\"typ\":\"JWT\"}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    expect("empty header object", craft("{}", payload, SECRET, "HS256"), "HS256",
           JWT_BAD_ALGORITHM);
    /* a duplicated alg whose last value is none must not pass */
    CU_ASSERT_NOT_EQUAL(
        verify(craft("{\"alg\":\"HS256\",\"alg\":\"none\"}", payload, SECRET, "HS256"), "HS256",
               NULL),
        JWT_OK);

    /* an HS256 token when HS512 (or HS384) is configured, and the reverse */
    char *tok = jwt_sign(A, payload, SECRET, "HS256");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    expect("HS256 token, HS512 configured", tok, "HS512", JWT_BAD_ALGORITHM);
    expect("HS256 token, HS384 configured", tok, "HS384", JWT_BAD_ALGORITHM);
    tok = jwt_sign(A, payload, SECRET, "HS512");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    expect("HS512 token, HS256 configured", tok, "HS256", JWT_BAD_ALGORITHM);
    /* configured algorithm that is not HMAC: nothing verifies */
    expect("configured none", none, "none", JWT_BAD_ALGORITHM);
}

/* ---- malformed tokens ---- */

static void test_malformed_shape(void)
{
    char *good = craft256("{\"role\":\"anon\"}");
    char *first_dot = strchr(good, '.');
    char *last_dot = strrchr(good, '.');
    expect("empty", "", "HS256", JWT_MALFORMED);
    expect(".", ".", "HS256", JWT_MALFORMED);
    expect("..", "..", "HS256", JWT_MALFORMED);
    expect("...", "...", "HS256", JWT_MALFORMED);
    expect("a.b.c", "a.b.c", "HS256", JWT_MALFORMED);
    expect("two segments", arena_strndup(A, good, (size_t)(last_dot - good)), "HS256",
           JWT_MALFORMED);
    expect("one segment", arena_strndup(A, good, (size_t)(first_dot - good)), "HS256",
           JWT_MALFORMED);
    expect("four segments", arena_printf(A, "%s.%s", good, last_dot + 1), "HS256", JWT_MALFORMED);
    expect("trailing dot", arena_printf(A, "%s.", good), "HS256", JWT_MALFORMED);
    expect("empty header", arena_printf(A, "%s", first_dot), "HS256", JWT_MALFORMED);
    expect("empty payload", craft_encoded(b64s(HS256_HEADER), "", SECRET), "HS256", JWT_MALFORMED);
    expect("empty header (signed)", craft_encoded("", b64s("{\"role\":\"anon\"}"), SECRET), "HS256",
           JWT_MALFORMED);
    expect("Bearer prefix", arena_printf(A, "Bearer %s", good), "HS256", JWT_MALFORMED);
}

static void test_malformed_encoding(void)
{
    const char *p64 = b64s("{\"role\":\"anon\"}");
    const char *h64 = b64s(HS256_HEADER);
    /* standard base64 with padding */
    expect("padded header", craft_encoded(arena_printf(A, "%s==", h64), p64, SECRET), "HS256",
           JWT_MALFORMED);
    expect("padded payload", craft_encoded(h64, arena_printf(A, "%s=", p64), SECRET), "HS256",
           JWT_MALFORMED);
    /* '+' and '/' instead of '-' and '_': header ending in ">?" encodes with '-'/'_' */
    const char *hdr = "{\"alg\":\"HS256\",\"x\":\"\xfb\xff\"}";
    const char *hdr_ascii = "{\"alg\":\"HS256\",\"x\":\">>>???\"}";
    char *h2 = arena_strdup(A, b64s(hdr_ascii));
    bool changed = false;
    for (char *c = h2; *c; c++) {
        if (*c == '-') {
            *c = '+';
            changed = true;
        } else if (*c == '_') {
            *c = '/';
            changed = true;
        }
    }
    CU_ASSERT_TRUE(changed);
    expect("header with + and /", craft_encoded(h2, p64, SECRET), "HS256", JWT_MALFORMED);
    /* invalid UTF-8 inside the header JSON */
    expect("header not UTF-8", craft(hdr, "{\"role\":\"anon\"}", SECRET, "HS256"), "HS256",
           JWT_MALFORMED);
    /* characters outside the alphabet */
    expect("header with '*'", craft_encoded(arena_printf(A, "*%s", h64 + 1), p64, SECRET), "HS256",
           JWT_MALFORMED);
    expect("payload with space", craft_encoded(h64, arena_printf(A, " %s", p64 + 1), SECRET),
           "HS256", JWT_MALFORMED);
    /* impossible length (n % 4 == 1) */
    expect("payload length 4k+1", craft_encoded(h64, arena_printf(A, "%sA", p64), SECRET), "HS256",
           JWT_MALFORMED);
    CU_ASSERT_EQUAL(strlen(p64) % 4, 0);
    /* non-canonical trailing bits in the header and payload encodings (22
     * bytes encode to 30 characters whose last one carries 2 unused bits) */
    h64 = b64s("{\"alg\":\"HS256\",\"t\":12}");
    size_t hn = strlen(h64);
    CU_ASSERT_NOT_EQUAL(hn % 4, 0);
    static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *hnc = arena_strdup(A, h64);
    int v = (int)(strchr(ALPHA, hnc[hn - 1]) - ALPHA);
    hnc[hn - 1] = ALPHA[v | 1];
    expect("header canonical", craft_encoded(h64, p64, SECRET), "HS256", JWT_OK);
    expect("header non-canonical", craft_encoded(hnc, p64, SECRET), "HS256", JWT_MALFORMED);
    p64 = b64s("{\"role\":\"anon\",\"a\":12}");
    size_t pn = strlen(p64);
    CU_ASSERT_NOT_EQUAL(pn % 4, 0);
    char *pnc = arena_strdup(A, p64);
    v = (int)(strchr(ALPHA, pnc[pn - 1]) - ALPHA);
    pnc[pn - 1] = ALPHA[v | 1];
    expect("payload canonical", craft_encoded(h64, p64, SECRET), "HS256", JWT_OK);
    expect("payload non-canonical", craft_encoded(h64, pnc, SECRET), "HS256", JWT_MALFORMED);
}

static void test_malformed_json(void)
{
    static const char *payloads[] = {
        "[1]",
        "\"x\"",
        "1",
        "null",
        "true",
        "[]",
        "not json",
        "{",
        "{\"role\":\"anon\"",
        "{\"role\":\"anon\"}x",
        "{\"role\":\"anon\"}{}",
        "{'role':'anon'}",
        "{role:\"anon\"}",
        "{\"role\":\"anon\",}",
        "{\"role\":\"an\xff\"}",
        "{\"role\":\"anon\"} \x01",
        "\xef\xbb\xbf{\"role\":\"anon\"}",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "payload #%zu", i);
        expect(what, craft256(payloads[i]), "HS256", JWT_MALFORMED);
    }
    static const char *headers[] = {"[1]", "\"HS256\"", "null", "{\"alg\":\"HS256\"", "x"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "header #%zu", i);
        expect(what, craft(headers[i], "{\"role\":\"anon\"}", SECRET, "HS256"), "HS256",
               JWT_MALFORMED);
    }
    /* a NUL byte inside the decoded JSON */
    const char raw[] = "{\"role\":\"anon\"}\0garbage";
    char *input = arena_printf(A, "%s.%s", b64s(HS256_HEADER), b64(raw, sizeof raw - 1));
    expect("NUL inside payload",
           arena_printf(A, "%s.%s", input, sign_input(input, SECRET, "HS256")), "HS256",
           JWT_MALFORMED);
}

static void test_malformed_garbage(void)
{
    size_t n = 100 * 1024;
    char *g = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    for (size_t i = 0; i < n; i++)
        g[i] = "abcXYZ019-_"[i % 11];
    g[n] = '\0';
    expect("100 KB garbage", g, "HS256", JWT_MALFORMED);
    g[n / 3] = '.';
    g[2 * n / 3] = '.';
    expect("100 KB garbage in three segments", g, "HS256", JWT_MALFORMED);
    memset(g, '.', n);
    expect("100 KB of dots", g, "HS256", JWT_MALFORMED);
    for (size_t i = 0; i < n; i++)
        g[i] = (char)(1 + i % 255);
    expect("100 KB of binary", g, "HS256", JWT_MALFORMED);
    free(g);

    /* deeply nested JSON payload, correctly signed */
    size_t depth = 5000;
    char *nest = arena_alloc(A, 2 * depth + 64);
    char *p = nest;
    p += sprintf(p, "{\"role\":\"anon\",\"x\":");
    for (size_t i = 0; i < depth; i++)
        *p++ = '[';
    for (size_t i = 0; i < depth; i++)
        *p++ = ']';
    strcpy(p, "}");
    jwt_status st = verify(craft256(nest), "HS256", NULL);
    CU_ASSERT(st == JWT_MALFORMED || st == JWT_OK);
}

/* ---- roles ---- */

static void test_roles(void)
{
    expect("no role", craft256("{\"sub\":\"x\"}"), "HS256", JWT_MISSING_ROLE);
    expect("empty claims", craft256("{}"), "HS256", JWT_MISSING_ROLE);
    expect("role number", craft256("{\"role\":1}"), "HS256", JWT_MISSING_ROLE);
    expect("role null", craft256("{\"role\":null}"), "HS256", JWT_MISSING_ROLE);
    expect("role bool", craft256("{\"role\":true}"), "HS256", JWT_MISSING_ROLE);
    expect("role array", craft256("{\"role\":[\"anon\"]}"), "HS256", JWT_MISSING_ROLE);
    expect("role object", craft256("{\"role\":{\"name\":\"anon\"}}"), "HS256", JWT_MISSING_ROLE);
    expect("Role capitalised key", craft256("{\"Role\":\"anon\"}"), "HS256", JWT_MISSING_ROLE);
    static const char *unknown[] = {"admin",
                                    "postgres",
                                    "supabase_admin",
                                    "",
                                    "Anon",
                                    "anon ",
                                    " anon",
                                    "authenticator",
                                    "service-role",
                                    "SERVICE_ROLE",
                                    "anon; drop role x",
                                    "pg_read_server_files"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        char *payload = arena_printf(A, "{\"role\":\"%s\"}", unknown[i]);
        expect(payload, craft256(payload), "HS256", JWT_UNKNOWN_ROLE);
    }
    /* "service_role\u0000" is not service_role */
    CU_ASSERT_NOT_EQUAL(verify(craft256("{\"role\":\"service_role\\u0000\"}"), "HS256", NULL),
                        JWT_OK);
}

static void test_status_messages(void)
{
    for (int st = JWT_OK; st <= JWT_UNKNOWN_ROLE; st++) {
        const char *m = jwt_status_message((jwt_status)st);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT(strlen(m) > 0);
        for (int other = JWT_OK; other < st; other++)
            CU_ASSERT_STRING_NOT_EQUAL(m, jwt_status_message((jwt_status)other));
    }
}

/* ---- base64url ---- */

static void test_b64_vectors(void)
{
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CU_ASSERT_STRING_EQUAL(b64s(v[i].in), v[i].out);
        CU_ASSERT_EQUAL(base64url_encoded_len(strlen(v[i].in)), strlen(v[i].out));
        char *out = NULL;
        size_t len = 99;
        CU_ASSERT_TRUE_FATAL(base64url_decode(A, v[i].out, strlen(v[i].out), &out, &len));
        CU_ASSERT_EQUAL(len, strlen(v[i].in));
        CU_ASSERT_STRING_EQUAL(out, v[i].in);
    }
    /* the URL-safe characters */
    const unsigned char fb[] = {0xfb, 0xff, 0xbf};
    CU_ASSERT_STRING_EQUAL(b64(fb, 3), "-_-_");
    const unsigned char f8[] = {0xfb, 0xf0};
    CU_ASSERT_STRING_EQUAL(b64(f8, 2), "-_A");
}

static void test_b64_round_trip(void)
{
    unsigned char buf[64];
    unsigned seed = 12345;
    for (size_t n = 0; n <= 64; n++) {
        for (int rep = 0; rep < 4; rep++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = rep == 0 ? 0 : rep == 1 ? 0xff : (unsigned char)(seed >> 16);
            }
            char *enc = b64(buf, n);
            CU_ASSERT_EQUAL(strlen(enc), base64url_encoded_len(n));
            CU_ASSERT_EQUAL(strcspn(enc, "+/="), strlen(enc));
            CU_ASSERT_NOT_EQUAL(strlen(enc) % 4, 1);
            char *dec = NULL;
            size_t len = 0;
            CU_ASSERT_TRUE_FATAL(base64url_decode(A, enc, strlen(enc), &dec, &len));
            CU_ASSERT_EQUAL(len, n);
            CU_ASSERT_EQUAL(memcmp(dec, buf, n), 0);
            CU_ASSERT_EQUAL(dec[len], '\0');
        }
    }
}

static void test_b64_reject(void)
{
    char *out;
    size_t len;
    /* length % 4 == 1 */
    static const char *bad_len[] = {"A", "AAAAA", "Zm9vY", "AAAAAAAAA"};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_FALSE(base64url_decode(A, bad_len[i], strlen(bad_len[i]), &out, &len));
    /* non-canonical trailing bits */
    CU_ASSERT_TRUE(base64url_decode(A, "AA", 2, &out, &len));
    CU_ASSERT_FALSE(base64url_decode(A, "AB", 2, &out, &len));
    CU_ASSERT_FALSE(base64url_decode(A, "AP", 2, &out, &len));
    CU_ASSERT_TRUE(base64url_decode(A, "AAA", 3, &out, &len));
    CU_ASSERT_FALSE(base64url_decode(A, "AAB", 3, &out, &len));
    CU_ASSERT_FALSE(base64url_decode(A, "Zh", 2, &out, &len));  /* "Zg" is 'f' */
    CU_ASSERT_FALSE(base64url_decode(A, "Zm9", 3, &out, &len)); /* "Zm8" is "fo" */
    CU_ASSERT_TRUE(base64url_decode(A, "Zm8", 3, &out, &len));
    /* characters outside the alphabet, padding */
    static const char *bad_chars[] = {"Zm9v+A", "Zm9v/A", "Zg==",         "Zm8=", "Zm 9",
                                      "Zm9\n",  "Zm.v",   "Zm9v\xc3\xa9", "*AAA"};
    for (size_t i = 0; i < sizeof bad_chars / sizeof bad_chars[0]; i++)
        CU_ASSERT_FALSE(base64url_decode(A, bad_chars[i], strlen(bad_chars[i]), &out, &len));
    /* a NUL inside the n characters */
    CU_ASSERT_FALSE(base64url_decode(A, "Zm\0v", 4, &out, &len));
    /* empty input is the empty string */
    CU_ASSERT_TRUE(base64url_decode(A, "", 0, &out, &len));
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_STRING_EQUAL(out, "");
    /* only n characters are read */
    CU_ASSERT_TRUE(base64url_decode(A, "Zm9v!!!!", 4, &out, &len));
    CU_ASSERT_STRING_EQUAL(out, "foo");
}

/* ---- asymmetric signing keys (JWT_SIGNING_KEYS) ---- */

static bool load_text(const char *text, jwt_keys *keys)
{
    char path[] = "/tmp/pgstack-unit-keys-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return false;
    fputs(text, f);
    fclose(f);
    char why[256];
    bool ok = jwt_keys_load(path, keys, why, sizeof why);
    unlink(path);
    return ok;
}

static void test_signing_keys(void)
{
    jwt_keys keys;
    const char *set = jwt_keys_generate_es256(A);
    CU_ASSERT_PTR_NOT_NULL_FATAL(set);
    CU_ASSERT_TRUE_FATAL(load_text(set, &keys));
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys.signer);
    CU_ASSERT_STRING_EQUAL(keys.signer->alg, "ES256");
    char claims[128];
    snprintf(claims, sizeof claims, "{\"role\":\"authenticated\",\"exp\":%ld}", (long)NOW + 60);
    char *token = jwt_sign_with_key(A, claims, keys.signer);
    CU_ASSERT_PTR_NOT_NULL_FATAL(token);
    json_object *c = NULL;
    CU_ASSERT_EQUAL(jwt_verify_keys(A, token, SECRET, "HS256", &keys, NOW, &c), JWT_OK);
    /* without the keys an ES256 token is not accepted */
    CU_ASSERT_EQUAL(jwt_verify_keys(A, token, SECRET, "HS256", NULL, NOW, &c), JWT_BAD_ALGORITHM);
    char *tampered = arena_strdup(A, token);
    char *last = tampered + strlen(tampered) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    CU_ASSERT_EQUAL(jwt_verify_keys(A, tampered, SECRET, "HS256", &keys, NOW, &c),
                    JWT_BAD_SIGNATURE);
    /* an HS256 token still verifies beside the keys */
    char *hs = jwt_sign(A, claims, SECRET, "HS256");
    CU_ASSERT_EQUAL(jwt_verify_keys(A, hs, SECRET, "HS256", &keys, NOW, &c), JWT_OK);
    const char *pub = jwt_keys_public_set(A, &keys);
    CU_ASSERT_PTR_NULL(strstr(pub, "\"d\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(pub, keys.signer->kid));
    jwt_keys_free(&keys);
    CU_ASSERT_STRING_EQUAL(jwt_keys_public_set(A, NULL), "{\"keys\":[]}");

    static const char *const BAD[] = {
        "not json",
        "{\"keys\":[]}",
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"AAAA\"}]}",
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\","
        "\"d\":\"AA\",\"kid\":\"a\"}]}",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        CU_ASSERT_FALSE(load_text(BAD[i], &keys));
    /* no kid; two signing keys */
    json_object *doc = json_tokener_parse(set);
    json_object *key = json_object_array_get_idx(json_object_object_get(doc, "keys"), 0);
    json_object_object_del(key, "kid");
    CU_ASSERT_FALSE(load_text(json_object_to_json_string(doc), &keys));
    json_object_put(doc);
    const char *two = arena_printf(A, "{\"keys\":[%.*s,%.*s]}", (int)strlen(set) - 11, set + 9,
                                   (int)strlen(set) - 11, set + 9);
    CU_ASSERT_FALSE(load_text(two, &keys)); /* the same kid twice, both signing */
}

void register_jwt_tests(void)
{
    CU_pSuite s = CU_add_suite("jwt", setup, teardown);
    CU_add_test(s, "valid tokens from jwt_sign", test_valid_signed);
    CU_add_test(s, "valid crafted tokens", test_valid_crafted);
    CU_add_test(s, "known roles", test_known_roles);
    CU_add_test(s, "exp and nbf", test_time_claims);
    CU_add_test(s, "bad signatures", test_signatures);
    CU_add_test(s, "non-canonical signature", test_signature_noncanonical);
    CU_add_test(s, "signature characters", test_signature_chars);
    CU_add_test(s, "algorithms", test_algorithms);
    CU_add_test(s, "malformed shape", test_malformed_shape);
    CU_add_test(s, "malformed encoding", test_malformed_encoding);
    CU_add_test(s, "malformed JSON", test_malformed_json);
    CU_add_test(s, "garbage and 100 KB", test_malformed_garbage);
    CU_add_test(s, "roles", test_roles);
    CU_add_test(s, "status messages", test_status_messages);
    CU_add_test(s, "base64url vectors", test_b64_vectors);
    CU_add_test(s, "base64url round trips 0..64", test_b64_round_trip);
    CU_add_test(s, "base64url rejects", test_b64_reject);
    CU_add_test(s, "asymmetric signing keys", test_signing_keys);
}
