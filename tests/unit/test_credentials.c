/* Unit tests of credential resolution: no credentials, the apikey header,
 * the ?apikey= parameter, Authorization: Bearer deciding over apikey (and
 * never falling back when it is bad), empty and unsupported schemes, and the
 * claims, role and sub handed to the request. */
#include "unit.h"

#include "memio.h"

#include "core/arena.h"
#include "core/vec.h"
#include "core/request.h"
#include "jwt/jwt_sign.h"
#include "worker/credentials.h"

#include <stdio.h>
#include <string.h>

#define NOW ((time_t)1700000000)

static arena *A;
static pgstack_config CFG;

static int setup(void)
{
    A = arena_new(8192);
    memset(&CFG, 0, sizeof CFG);
    CFG.jwt_secret = UNIT_SECRET;
    CFG.jwt_algorithm = "HS256";
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static char *token(const char *claims)
{
    char *t = jwt_sign(A, claims, UNIT_SECRET, "HS256");
    CU_ASSERT_PTR_NOT_NULL(t);
    return t ? t : "";
}

static request make_req(void)
{
    request r;
    memset(&r, 0, sizeof r);
    r.arena = A;
    r.method = "GET";
    r.path = r.full_path = "/todos";
    r.in_prefix = true;
    r.content_length = -1;
    return r;
}

static void add_header(request *r, const char *name, const char *value)
{
    header_list *l = &r->headers;
    l->items = vec_grow(A, l->items, l->count, &l->cap, l->count + 1, sizeof(header));
    l->items[l->count++] = (header){name, value};
}

static void set_query(request *r, const char *qs)
{
    CU_ASSERT_EQUAL_FATAL(query_parse(A, qs, 1 << 20, &r->query), QUERY_OK);
}

static bool resolve(request *r, auth_ctx *ctx, const char **error)
{
    *error = NULL;
    return credentials_resolve(r, &CFG, NOW, ctx, error);
}

static void expect_fail(request *r, const char *what, const char *msg_fragment)
{
    auth_ctx ctx;
    const char *error;
    bool ok = resolve(r, &ctx, &error);
    CU_ASSERT_FALSE(ok);
    if (ok) {
        fprintf(stderr, "\n  %s: accepted (role %s), want refusal\n", what,
                ctx.role ? ctx.role : "(null)");
        return;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    CU_ASSERT(strlen(error) > 0);
    if (msg_fragment) {
        CU_ASSERT_PTR_NOT_NULL(strstr(error, msg_fragment));
        if (!strstr(error, msg_fragment))
            fprintf(stderr, "\n  %s: error \"%s\", want \"%s\"\n", what, error, msg_fragment);
    }
}

static void test_none(void)
{
    request r = make_req();
    auth_ctx ctx;
    const char *error;
    CU_ASSERT_TRUE(resolve(&r, &ctx, &error));
    CU_ASSERT_FALSE(ctx.present);
    /* unrelated headers and parameters change nothing */
    add_header(&r, "x-api-key", token("{\"role\":\"service_role\"}"));
    add_header(&r, "cookie", "apikey=abc");
    set_query(&r, "select=*&api_key=x");
    CU_ASSERT_TRUE(resolve(&r, &ctx, &error));
    CU_ASSERT_FALSE(ctx.present);
}

static void test_apikey_header(void)
{
    request r = make_req();
    add_header(&r, "apikey", token("{\"role\":\"anon\",\"iss\":\"pgstack\"}"));
    auth_ctx ctx;
    const char *error;
    CU_ASSERT_TRUE_FATAL(resolve(&r, &ctx, &error));
    CU_ASSERT_TRUE(ctx.present);
    CU_ASSERT_STRING_EQUAL(ctx.role, "anon");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx.sub);
    CU_ASSERT_STRING_EQUAL(ctx.sub, "");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx.claims_json);
    CU_ASSERT_PTR_NOT_NULL(strstr(ctx.claims_json, "\"role\":\"anon\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(ctx.claims_json, "\"iss\":\"pgstack\""));
    r.auth = &ctx;
    json_object *claims = credentials_claims(&r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(claims);
    CU_ASSERT(json_object_is_type(claims, json_type_object));
}

static void test_apikey_query(void)
{
    request r = make_req();
    char *qs = arena_printf(A, "select=*&apikey=%s&order=id", token("{\"role\":\"anon\"}"));
    set_query(&r, qs);
    auth_ctx ctx;
    const char *error;
    CU_ASSERT_TRUE_FATAL(resolve(&r, &ctx, &error));
    CU_ASSERT_TRUE(ctx.present);
    CU_ASSERT_STRING_EQUAL(ctx.role, "anon");

    /* the header wins over the parameter */
    request r2 = make_req();
    add_header(&r2, "apikey", token("{\"role\":\"authenticated\",\"sub\":\"u\"}"));
    set_query(&r2, "apikey=garbage");
    CU_ASSERT_TRUE_FATAL(resolve(&r2, &ctx, &error));
    CU_ASSERT_STRING_EQUAL(ctx.role, "authenticated");

    /* a bad parameter is refused */
    request r3 = make_req();
    set_query(&r3, "apikey=not.a.token");
    expect_fail(&r3, "?apikey=garbage", NULL);
    request r4 = make_req();
    set_query(&r4, "apikey=");
    expect_fail(&r4, "?apikey=", "empty apikey");
    request r5 = make_req();
    set_query(&r5, "apikey");
    expect_fail(&r5, "?apikey", "empty apikey");
}

static void test_bearer_wins(void)
{
    request r = make_req();
    add_header(&r, "apikey", token("{\"role\":\"anon\"}"));
    add_header(
        &r, "authorization",
        arena_printf(A, "Bearer %s",
                     token("{\"role\":\"service_role\",\"sub\":\"svc\",\"exp\":1800000000}")));
    auth_ctx ctx;
    const char *error;
    CU_ASSERT_TRUE_FATAL(resolve(&r, &ctx, &error));
    CU_ASSERT_TRUE(ctx.present);
    CU_ASSERT_STRING_EQUAL(ctx.role, "service_role");
    CU_ASSERT_STRING_EQUAL(ctx.sub, "svc");
    CU_ASSERT_PTR_NOT_NULL(strstr(ctx.claims_json, "service_role"));

    /* the reverse: anon bearer beats a service_role apikey */
    request r2 = make_req();
    add_header(&r2, "apikey", token("{\"role\":\"service_role\"}"));
    add_header(&r2, "authorization", arena_printf(A, "Bearer %s", token("{\"role\":\"anon\"}")));
    CU_ASSERT_TRUE_FATAL(resolve(&r2, &ctx, &error));
    CU_ASSERT_STRING_EQUAL(ctx.role, "anon");
}

static void test_bearer_bad_no_fallback(void)
{
    const char *anon = token("{\"role\":\"anon\"}");
    static const char *bad_auth[] = {"Bearer garbage", "Bearer a.b.c", "Bearer ..",
                                     "Bearer eyJhbGciOiJub25lIn0.e30."};
    for (size_t i = 0; i < sizeof bad_auth / sizeof bad_auth[0]; i++) {
        request r = make_req();
        add_header(&r, "apikey", anon);
        add_header(&r, "authorization", bad_auth[i]);
        expect_fail(&r, bad_auth[i], NULL);
    }
    /* expired bearer + valid apikey: refused with the JWT's reason */
    request r = make_req();
    add_header(&r, "apikey", anon);
    add_header(&r, "authorization",
               arena_printf(A, "Bearer %s", token("{\"role\":\"authenticated\",\"exp\":1}")));
    expect_fail(&r, "expired bearer", "expired");
    /* wrong secret */
    request r2 = make_req();
    char *other =
        jwt_sign(A, "{\"role\":\"anon\"}", "another-secret-another-secret-another", "HS256");
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    add_header(&r2, "authorization", arena_printf(A, "Bearer %s", other));
    expect_fail(&r2, "bearer with wrong secret", "signature");
    /* unknown role */
    request r3 = make_req();
    add_header(&r3, "apikey", token("{\"role\":\"postgres\"}"));
    expect_fail(&r3, "apikey role postgres", "role");
}

static void test_bearer_empty(void)
{
    static const char *empty[] = {"Bearer ", "Bearer    ", "Bearer", "bearer \t ", "  Bearer  "};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        request r = make_req();
        add_header(&r, "apikey", token("{\"role\":\"anon\"}"));
        add_header(&r, "authorization", empty[i]);
        expect_fail(&r, empty[i], "empty bearer token");
    }
}

static void test_bearer_scheme(void)
{
    const char *tok = token("{\"role\":\"authenticated\",\"sub\":\"user-1\"}");
    static const struct {
        const char *before, *after;
    } fmts[] = {{"bearer ", ""},     {"BEARER ", ""},   {"BeArEr ", ""},
                {"Bearer   ", "  "}, {"  Bearer ", ""}, {"Bearer\t", ""}};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        request r = make_req();
        add_header(&r, "authorization",
                   arena_printf(A, "%s%s%s", fmts[i].before, tok, fmts[i].after));
        auth_ctx ctx;
        const char *error;
        bool ok = resolve(&r, &ctx, &error);
        CU_ASSERT_TRUE(ok);
        if (!ok) {
            fprintf(stderr, "\n  scheme \"%s\": %s\n", fmts[i].before, error);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(ctx.role, "authenticated");
        CU_ASSERT_STRING_EQUAL(ctx.sub, "user-1");
    }
    static const char *bad[] = {"Basic dXNlcjpwYXNz", "Token abc", "Bearertoken",
                                "Bearer-x y",         "",          "   ",
                                "Digest username=x",  "B"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        request r = make_req();
        add_header(&r, "apikey", tok);
        add_header(&r, "authorization", bad[i]);
        expect_fail(&r, bad[i], NULL);
    }
    /* two tokens after Bearer */
    request r = make_req();
    add_header(&r, "authorization", arena_printf(A, "Bearer %s %s", tok, tok));
    expect_fail(&r, "two tokens", NULL);
}

static void test_empty_apikey(void)
{
    request r = make_req();
    add_header(&r, "apikey", "");
    expect_fail(&r, "empty apikey header", "empty apikey");
    /* an empty header does not fall back to the parameter */
    request r2 = make_req();
    add_header(&r2, "apikey", "");
    set_query(&r2, arena_printf(A, "apikey=%s", token("{\"role\":\"anon\"}")));
    expect_fail(&r2, "empty apikey header with parameter", NULL);
    /* garbage apikey */
    request r3 = make_req();
    add_header(&r3, "apikey", "   ");
    expect_fail(&r3, "blank apikey", NULL);
}

static void test_sub_claim(void)
{
    auth_ctx ctx;
    const char *error;
    request r = make_req();
    add_header(&r, "apikey", token("{\"role\":\"authenticated\",\"sub\":42}"));
    CU_ASSERT_TRUE_FATAL(resolve(&r, &ctx, &error));
    CU_ASSERT_STRING_EQUAL(ctx.sub, ""); /* not a string: none */
    request r2 = make_req();
    add_header(&r2, "apikey",
               token("{\"role\":\"authenticated\",\"sub\":\"d0c1e2f3-\\\"quoted\\\"\"}"));
    CU_ASSERT_TRUE_FATAL(resolve(&r2, &ctx, &error));
    CU_ASSERT_STRING_EQUAL(ctx.sub, "d0c1e2f3-\"quoted\"");
    CU_ASSERT_PTR_NOT_NULL(strstr(ctx.claims_json, "\\\"quoted\\\""));
    /* claims JSON keeps slashes unescaped and is compact */
    request r3 = make_req();
    add_header(&r3, "apikey", token("{\"role\":\"anon\",\"iss\":\"https://x.example/auth/v1\"}"));
    CU_ASSERT_TRUE_FATAL(resolve(&r3, &ctx, &error));
    CU_ASSERT_PTR_NOT_NULL(strstr(ctx.claims_json, "https://x.example/auth/v1"));
    CU_ASSERT_PTR_NULL(strchr(ctx.claims_json, '\n'));
}

static void test_algorithm_config(void)
{
    /* a token of another algorithm than configured is refused */
    request r = make_req();
    char *t = jwt_sign(A, "{\"role\":\"anon\"}", UNIT_SECRET, "HS512");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    add_header(&r, "apikey", t);
    expect_fail(&r, "HS512 token under HS256", "algorithm");
    pgstack_config saved = CFG;
    CFG.jwt_algorithm = "HS512";
    auth_ctx ctx;
    const char *error;
    CU_ASSERT_TRUE(resolve(&r, &ctx, &error));
    CFG = saved;
}

/* The worker's cache of verified tokens gives what verification gives, and
 * never serves a token outside its validity window or under another secret
 * or algorithm. */
static void test_token_cache(void)
{
    const char *t = token("{\"role\":\"authenticated\",\"sub\":\"u-1\",\"exp\":1700000100,"
                          "\"nbf\":1699999900}");
    auth_ctx first, again, ctx;
    const char *error;
    request r = make_req(), r2 = make_req();
    add_header(&r, "authorization", arena_printf(A, "Bearer %s", t));
    add_header(&r2, "authorization", arena_printf(A, "Bearer %s", t));
    CU_ASSERT_TRUE_FATAL(resolve(&r, &first, &error));
    CU_ASSERT_TRUE_FATAL(resolve(&r2, &again, &error)); /* from the cache */
    CU_ASSERT_STRING_EQUAL(again.role, first.role);
    CU_ASSERT_STRING_EQUAL(again.sub, "u-1");
    CU_ASSERT_STRING_EQUAL(again.claims_json, first.claims_json);
    r2.auth = &again;
    json_object *v;
    CU_ASSERT_TRUE(json_object_object_get_ex(credentials_claims(&r2), "exp", &v));
    /* past exp, before nbf: refused although cached */
    CU_ASSERT_FALSE(credentials_resolve(&r, &CFG, (time_t)1700000100, &ctx, &error));
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "expired"));
    CU_ASSERT_FALSE(credentials_resolve(&r, &CFG, (time_t)1699999800, &ctx, &error));
    CU_ASSERT_PTR_NOT_NULL(strstr(error, "not yet valid"));
    /* another secret or algorithm: verified again, and refused */
    pgstack_config saved = CFG;
    CFG.jwt_secret = "another-secret-of-at-least-32-characters";
    expect_fail(&r, "cached token under another secret", "signature");
    CFG = saved;
    CFG.jwt_algorithm = "HS512";
    expect_fail(&r, "cached token under another algorithm", "algorithm");
    CFG = saved;
    CU_ASSERT_TRUE(resolve(&r, &ctx, &error)); /* and fine again */
}

void register_credentials_tests(void)
{
    CU_pSuite s = CU_add_suite("credentials", setup, teardown);
    CU_add_test(s, "no credentials", test_none);
    CU_add_test(s, "apikey header", test_apikey_header);
    CU_add_test(s, "?apikey= parameter", test_apikey_query);
    CU_add_test(s, "Bearer wins over apikey", test_bearer_wins);
    CU_add_test(s, "bad Bearer never falls back", test_bearer_bad_no_fallback);
    CU_add_test(s, "empty Bearer", test_bearer_empty);
    CU_add_test(s, "Bearer scheme", test_bearer_scheme);
    CU_add_test(s, "empty apikey", test_empty_apikey);
    CU_add_test(s, "sub and claims", test_sub_claim);
    CU_add_test(s, "configured algorithm", test_algorithm_config);
    CU_add_test(s, "verified-token cache", test_token_cache);
}
