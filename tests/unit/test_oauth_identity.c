/* Unit tests of what an OAuth sign-in records: identities from ID token
 * claims (email_verified true or Apple's "true", Microsoft only with
 * xms_edov, unverified and non-ASCII addresses, Apple's posted name, the
 * GoTrue-shaped identity_data) and from GitHub's /user and /user/emails
 * (primary verified, primary unverified, fallback, no list); and form
 * bodies (application/x-www-form-urlencoded, as a provider's form_post
 * sends them) parsed like query strings, with clear 400s. */
#include "unit.h"

#include "memio.h"

#include "auth/body.h"
#include "auth/oauth_identity.h"
#include "core/arena.h"
#include "core/json_text.h"
#include "core/request.h"
#include "core/response.h"

#include <stdio.h>
#include <string.h>

static arena *A;

static int setup(void)
{
    A = arena_new(16384);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static json_object *parse(const char *text)
{
    return json_arena_owned(A, json_parse_exact(text, strlen(text)));
}

static const char *data_string(const oauth_identity *id, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(id->data, key, &v) ? json_object_get_string(v) : NULL;
}

static bool data_verified(const oauth_identity *id)
{
    json_object *v;
    return json_object_object_get_ex(id->data, "email_verified", &v) && json_object_get_boolean(v);
}

static void test_claims(void)
{
    oauth_identity id;
    const char *google = "{\"iss\":\"https://accounts.google.com\",\"sub\":\"1234\","
                         "\"email\":\"Jane.Doe@Example.COM\",\"email_verified\":true,"
                         "\"name\":\"Jane Doe\",\"picture\":\"https://img.example/j.png\","
                         "\"nonce\":\"n\",\"aud\":\"c\",\"exp\":1,\"at_hash\":\"h\"}";
    CU_ASSERT_TRUE_FATAL(auth_oauth_identity_from_claims(A, "google", parse(google), NULL, &id));
    CU_ASSERT_STRING_EQUAL(id.provider_id, "1234");
    CU_ASSERT_STRING_EQUAL(id.email, "jane.doe@example.com");
    CU_ASSERT_TRUE(id.email_verified);
    CU_ASSERT_STRING_EQUAL(data_string(&id, "provider_id"), "1234");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "full_name"), "Jane Doe");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "avatar_url"), "https://img.example/j.png");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "iss"), "https://accounts.google.com");
    CU_ASSERT_TRUE(data_verified(&id));
    CU_ASSERT_PTR_NULL(data_string(&id, "nonce")); /* token mechanics are not profile */
    CU_ASSERT_PTR_NULL(data_string(&id, "at_hash"));

    const char *unverified = "{\"sub\":\"5\",\"email\":\"x@example.com\",\"email_verified\":false}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "oidc", parse(unverified), NULL, &id));
    CU_ASSERT_STRING_EQUAL(id.email, "x@example.com");
    CU_ASSERT_FALSE(id.email_verified);
    CU_ASSERT_FALSE(data_verified(&id));
    const char *stringly = "{\"sub\":\"5\",\"email\":\"x@example.com\",\"email_verified\":\"yes\"}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "oidc", parse(stringly), NULL, &id));
    CU_ASSERT_FALSE(id.email_verified);

    /* Apple: "true" as a string, the name from the posted user field */
    const char *apple = "{\"sub\":\"001.abc\",\"email\":\"r@privaterelay.appleid.com\","
                        "\"email_verified\":\"true\",\"is_private_email\":\"true\"}";
    const char *user = "{\"name\":{\"firstName\":\"Ann\",\"lastName\":\"Lee\"},"
                       "\"email\":\"spoofed@example.com\"}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "apple", parse(apple), user, &id));
    CU_ASSERT_TRUE(id.email_verified);
    CU_ASSERT_STRING_EQUAL(id.email, "r@privaterelay.appleid.com");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "full_name"), "Ann Lee");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "given_name"), "Ann");
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "apple", parse(apple), "not json", &id));
    CU_ASSERT_PTR_NULL(data_string(&id, "full_name"));

    /* Microsoft: email_verified is not enough, xms_edov is */
    const char *ms = "{\"sub\":\"m\",\"email\":\"m@contoso.com\",\"email_verified\":true}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "microsoft", parse(ms), NULL, &id));
    CU_ASSERT_FALSE(id.email_verified);
    const char *edov = "{\"sub\":\"m\",\"email\":\"m@contoso.com\",\"xms_edov\":true}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "microsoft", parse(edov), NULL, &id));
    CU_ASSERT_TRUE(id.email_verified);

    /* an address that is not plain ASCII is kept in data only */
    const char *uni =
        "{\"sub\":\"u\",\"email\":\"j\xc3\xb6rg@example.com\",\"email_verified\":true}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_claims(A, "google", parse(uni), NULL, &id));
    CU_ASSERT_PTR_NULL(id.email);
    CU_ASSERT_FALSE(id.email_verified);
    CU_ASSERT_PTR_NOT_NULL(data_string(&id, "email"));

    /* no email, no sub */
    CU_ASSERT_TRUE(
        auth_oauth_identity_from_claims(A, "google", parse("{\"sub\":\"s\"}"), NULL, &id));
    CU_ASSERT_PTR_NULL(id.email);
    CU_ASSERT_FALSE(data_verified(&id));
    CU_ASSERT_FALSE(
        auth_oauth_identity_from_claims(A, "google", parse("{\"email\":\"a@b.co\"}"), NULL, &id));
    CU_ASSERT_FALSE(auth_oauth_identity_from_claims(A, "google", parse("{\"sub\":7}"), NULL, &id));
}

static void test_github(void)
{
    oauth_identity id;
    const char *user = "{\"id\":583231,\"login\":\"octocat\",\"name\":\"The Octocat\","
                       "\"avatar_url\":\"https://avatars.example/u/583231\",\"email\":null}";
    const char *emails = "[{\"email\":\"old@example.com\",\"primary\":false,\"verified\":true},"
                         "{\"email\":\"Octo@Example.com\",\"primary\":true,\"verified\":true}]";
    CU_ASSERT_TRUE_FATAL(auth_oauth_identity_from_github(A, "https://api.github.com", parse(user),
                                                         parse(emails), &id));
    CU_ASSERT_STRING_EQUAL(id.provider_id, "583231");
    CU_ASSERT_STRING_EQUAL(id.email, "octo@example.com");
    CU_ASSERT_TRUE(id.email_verified);
    CU_ASSERT_STRING_EQUAL(data_string(&id, "user_name"), "octocat");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "full_name"), "The Octocat");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "sub"), "583231");
    CU_ASSERT_STRING_EQUAL(data_string(&id, "iss"), "https://api.github.com");

    /* the primary address unverified: not vouched for, even with another verified one */
    const char *unverified = "[{\"email\":\"v@example.com\",\"primary\":false,\"verified\":true},"
                             "{\"email\":\"p@example.com\",\"primary\":true,\"verified\":false}]";
    CU_ASSERT_TRUE(auth_oauth_identity_from_github(A, "x", parse(user), parse(unverified), &id));
    CU_ASSERT_STRING_EQUAL(id.email, "p@example.com");
    CU_ASSERT_FALSE(id.email_verified);
    /* no primary: the first verified one */
    const char *no_primary = "[{\"email\":\"a@example.com\",\"verified\":false},"
                             "{\"email\":\"b@example.com\",\"verified\":true}]";
    CU_ASSERT_TRUE(auth_oauth_identity_from_github(A, "x", parse(user), parse(no_primary), &id));
    CU_ASSERT_STRING_EQUAL(id.email, "b@example.com");
    CU_ASSERT_TRUE(id.email_verified);
    /* no list: the public address, unverified */
    const char *public = "{\"id\":1,\"login\":\"p\",\"email\":\"pub@example.com\"}";
    CU_ASSERT_TRUE(auth_oauth_identity_from_github(A, "x", parse(public), NULL, &id));
    CU_ASSERT_STRING_EQUAL(id.email, "pub@example.com");
    CU_ASSERT_FALSE(id.email_verified);
    /* no id */
    CU_ASSERT_FALSE(auth_oauth_identity_from_github(A, "x", parse("{\"login\":\"x\"}"), NULL, &id));
    CU_ASSERT_FALSE(auth_oauth_identity_from_github(A, "x", parse("{\"id\":\"1\"}"), NULL, &id));
    CU_ASSERT_FALSE(auth_oauth_identity_from_github(A, "x", parse("{\"id\":-1}"), NULL, &id));
    CU_ASSERT_FALSE(auth_oauth_identity_from_github(A, "x", parse("[]"), NULL, &id));
}

/* auth_form_body on a hand-made request; returns the reply status (0: ok). */
static int form(const char *content_type, const char *body, size_t len, query_params *out)
{
    request req;
    memset(&req, 0, sizeof req);
    req.arena = A;
    header h[1] = {{"content-type", content_type}};
    req.headers.items = h;
    req.headers.count = content_type ? 1 : 0;
    req.body = (char *)body;
    req.body_len = len;
    memio m;
    http_io io;
    memio_init(&m, &io, NULL, 0);
    response res;
    response_init(&res, A, &io);
    bool ok = auth_form_body(&req, &res, out);
    int status = ok ? 0 : res.status;
    memio_free(&m);
    return status;
}

static void test_form_body(void)
{
    query_params q;
    const char *body = "state=abc-DEF_1&code=c.1%2F2&user=%7B%22name%22%3A%7B%7D%7D&x=a+b&empty=";
    CU_ASSERT_EQUAL_FATAL(form("application/x-www-form-urlencoded", body, strlen(body), &q), 0);
    CU_ASSERT_EQUAL(q.count, 5);
    CU_ASSERT_STRING_EQUAL(query_get(&q, "state"), "abc-DEF_1");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "code"), "c.1/2");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "user"), "{\"name\":{}}");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "x"), "a b");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "empty"), "");
    CU_ASSERT_EQUAL(form("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "a=1", 3, &q), 0);
    CU_ASSERT_STRING_EQUAL(query_get(&q, "a"), "1");
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencoded", "", 0, &q), 0);
    CU_ASSERT_EQUAL(q.count, 0);

    CU_ASSERT_EQUAL(form(NULL, "a=1", 3, &q), 400);
    CU_ASSERT_EQUAL(form("application/json", "{\"a\":1}", 7, &q), 400);
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencodedx", "a=1", 3, &q), 400);
    CU_ASSERT_EQUAL(form("multipart/form-data; boundary=x", "a=1", 3, &q), 400);
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencoded", "a=%zz", 5, &q), 400);
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencoded", "a=%ff", 5, &q), 400);
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencoded", "a=%00", 5, &q), 400);
    CU_ASSERT_EQUAL(form("application/x-www-form-urlencoded", "a=1\0b=2", 7, &q), 400);
}

void register_oauth_identity_tests(void)
{
    CU_pSuite s = CU_add_suite("oauth_identity", setup, teardown);
    CU_add_test(s, "identities from ID token claims", test_claims);
    CU_add_test(s, "identities from GitHub", test_github);
    CU_add_test(s, "form bodies", test_form_body);
}
