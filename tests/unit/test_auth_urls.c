/* Unit tests of the auth area's URLs: redirect_to matching against
 * SITE_URL and ADDITIONAL_REDIRECT_URLS with hostile candidates (look-alike
 * hosts, user info, backslashes, encoded dots, ports, schemes, control
 * characters), the choice among requested/stored/SITE_URL, and the links
 * put in emails (every value percent-encoded). */
#include "unit.h"

#include "auth/auth_settings.h"
#include "auth/urls.h"
#include "core/arena.h"
#include "core/config.h"

#include <string.h>

static arena *A;

static int setup(void)
{
    A = arena_new(4096);
    return A ? 0 : 1;
}

static int teardown(void)
{
    arena_free(A);
    return 0;
}

static char *ADDITIONAL_ITEMS[] = {
    "https://app.example.com/callback", "http://localhost:3000/app/",        "http://[::1]:8000",
    "http://plain.example.com",         "io.supabase.app://login-callback/", "javascript://x/"};
static const str_list ADDITIONAL = {ADDITIONAL_ITEMS, 6};
#define SITE "https://site.example.com"

static bool allowed(const char *url)
{
    return auth_redirect_url_allowed(url, SITE, &ADDITIONAL);
}

static void test_site_url_matches(void)
{
    CU_ASSERT_TRUE(allowed("https://site.example.com"));
    CU_ASSERT_TRUE(allowed("https://site.example.com/"));
    CU_ASSERT_TRUE(allowed("https://site.example.com/welcome"));
    CU_ASSERT_TRUE(allowed("https://site.example.com/welcome/deep/path?x=1&y=%20"));
    CU_ASSERT_TRUE(allowed("https://site.example.com?next=/a"));
    CU_ASSERT_TRUE(allowed("HTTPS://SITE.EXAMPLE.COM/Case"));
    CU_ASSERT_TRUE(allowed("https://site.example.com:443/explicit-port"));
}

static void test_lookalike_hosts(void)
{
    CU_ASSERT_FALSE(allowed("https://site.example.com.evil.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com.evil.com/"));
    CU_ASSERT_FALSE(allowed("https://evil-site.example.com"));
    CU_ASSERT_FALSE(allowed("https://xsite.example.com"));
    CU_ASSERT_FALSE(allowed("https://example.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.co"));
    CU_ASSERT_FALSE(allowed("https://site.example.com./"));
    CU_ASSERT_FALSE(allowed("https://evil.com/https://site.example.com"));
    CU_ASSERT_FALSE(allowed("https://evil.com?https://site.example.com"));
    CU_ASSERT_FALSE(allowed("https://s\xc3\xaete.example.com"));
    CU_ASSERT_FALSE(allowed("https://site%2eexample.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com%2eevil.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com%40evil.com"));
}

static void test_userinfo_and_backslashes(void)
{
    CU_ASSERT_FALSE(allowed("https://site.example.com@evil.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:443@evil.com"));
    CU_ASSERT_FALSE(allowed("https://user:pass@site.example.com/"));
    CU_ASSERT_FALSE(allowed("https://evil.com\\@site.example.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com\\.evil.com"));
    CU_ASSERT_FALSE(allowed("https:\\\\site.example.com"));
    CU_ASSERT_FALSE(allowed("https://evil.com#@site.example.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/#fragment"));
}

static void test_schemes_and_ports(void)
{
    CU_ASSERT_FALSE(allowed("http://site.example.com"));
    CU_ASSERT_FALSE(allowed("//site.example.com"));
    CU_ASSERT_FALSE(allowed("/relative/path"));
    CU_ASSERT_FALSE(allowed("site.example.com"));
    CU_ASSERT_FALSE(allowed("javascript:alert(1)//https://site.example.com"));
    CU_ASSERT_FALSE(allowed("data:text/html,https://site.example.com"));
    CU_ASSERT_FALSE(allowed("ftp://site.example.com"));
    CU_ASSERT_FALSE(allowed("https:/site.example.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:8443/"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:80/"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:abc/"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:99999/"));
    CU_ASSERT_FALSE(allowed("https://site.example.com:0443x/"));
    CU_ASSERT_FALSE(allowed("https://"));
    CU_ASSERT_FALSE(allowed("https:///path"));
    /* default ports are the same port */
    CU_ASSERT_TRUE(allowed("http://plain.example.com:80/x"));
    CU_ASSERT_FALSE(allowed("http://plain.example.com:8080/x"));
    CU_ASSERT_TRUE(allowed("http://localhost:3000/app"));
    CU_ASSERT_FALSE(allowed("http://localhost:3001/app"));
    CU_ASSERT_FALSE(allowed("http://localhost/app"));
    CU_ASSERT_FALSE(allowed("http://localhost:30001/app"));
    CU_ASSERT_FALSE(allowed("http://localhost:3000.evil.com/app"));
    /* IPv6 literals */
    CU_ASSERT_TRUE(allowed("http://[::1]:8000/x"));
    CU_ASSERT_FALSE(allowed("http://[::2]:8000/x"));
    CU_ASSERT_FALSE(allowed("http://[::1]/x"));
    CU_ASSERT_FALSE(allowed("http://[::1]x:8000/"));
    CU_ASSERT_FALSE(allowed("http://[::1:8000/"));
}

/* Mobile apps register their own scheme (Flutter, React Native, Expo);
 * an entry with it allows that scheme only, and schemes that run code are
 * refused even when an entry names them. */
static void test_app_schemes(void)
{
    CU_ASSERT_TRUE(allowed("io.supabase.app://login-callback/"));
    CU_ASSERT_TRUE(allowed("io.supabase.app://login-callback"));
    CU_ASSERT_TRUE(allowed("IO.Supabase.App://login-callback/done?x=1"));
    CU_ASSERT_FALSE(allowed("io.supabase.app://evil-callback/"));
    CU_ASSERT_FALSE(allowed("io.supabase.evil://login-callback/"));
    CU_ASSERT_FALSE(allowed("https://login-callback/"));
    CU_ASSERT_FALSE(allowed("io.supabase.app://login-callback/../x"));
    CU_ASSERT_FALSE(allowed("io.supabase.app://login-callback@evil.com/"));
    CU_ASSERT_FALSE(allowed("io.supabase.app:login-callback/"));
    CU_ASSERT_FALSE(allowed("1app://login-callback/"));
    CU_ASSERT_FALSE(allowed("javascript://x/"));
    CU_ASSERT_FALSE(allowed("JavaScript://x/%0aalert(1)"));
}

static void test_path_prefix_boundaries(void)
{
    CU_ASSERT_TRUE(allowed("https://app.example.com/callback"));
    CU_ASSERT_TRUE(allowed("https://app.example.com/callback/"));
    CU_ASSERT_TRUE(allowed("https://app.example.com/callback/done"));
    CU_ASSERT_TRUE(allowed("https://app.example.com/callback?code=1"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callbackevil"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback.evil"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/call"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/"));
    CU_ASSERT_FALSE(allowed("https://app.example.com"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/other/callback"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback/../admin"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback/./x"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback/.."));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback/%2e%2e/admin"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback/%2E%2E/admin"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback%2f..%2fadmin"));
    CU_ASSERT_FALSE(allowed("https://app.example.com/callback%5c..%5cadmin"));
    /* an entry with a trailing slash allows the path without it too */
    CU_ASSERT_TRUE(allowed("http://localhost:3000/app"));
    CU_ASSERT_TRUE(allowed("http://localhost:3000/app/page"));
    CU_ASSERT_FALSE(allowed("http://localhost:3000/apple"));
    CU_ASSERT_FALSE(allowed("http://localhost:3000/"));
    /* dots inside a segment are fine */
    CU_ASSERT_TRUE(allowed("https://site.example.com/file.v2/..x/a..b"));
}

static void test_control_and_odd_characters(void)
{
    CU_ASSERT_FALSE(allowed(NULL));
    CU_ASSERT_FALSE(allowed(""));
    CU_ASSERT_FALSE(allowed(" https://site.example.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com /x"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\r\nLocation: https://evil.com"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\nx"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\tx"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\x01"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\x7f"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\xc3\xa9"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/\"><script>"));
    CU_ASSERT_FALSE(allowed("https://site.example.com/{x}"));
    char longer[REDIRECT_URL_MAX + 2];
    memset(longer, 'a', sizeof longer);
    memcpy(longer, SITE "/", strlen(SITE "/"));
    longer[REDIRECT_URL_MAX + 1] = '\0';
    CU_ASSERT_FALSE(allowed(longer));
    longer[REDIRECT_URL_MAX] = '\0';
    CU_ASSERT_TRUE(allowed(longer));
}

static void test_bad_entries_ignored(void)
{
    char *items[] = {"not a url", "https://user@site.example.com", "", "javascript://x.example"};
    str_list bad = {items, 4};
    CU_ASSERT_FALSE(auth_redirect_url_allowed("https://x.example", "also not a url", &bad));
    CU_ASSERT_FALSE(auth_redirect_url_allowed("https://site.example.com", NULL, &bad));
    CU_ASSERT_FALSE(auth_redirect_url_allowed("javascript://x.example", NULL, &bad));
    CU_ASSERT_TRUE(auth_redirect_url_allowed("https://site.example.com/x", SITE, NULL));
}

static void test_choose(void)
{
    auth_settings cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.site_url = SITE;
    cfg.additional_redirect_urls = ADDITIONAL;
    const char *good = "https://app.example.com/callback/x", *bad = "https://evil.example";
    CU_ASSERT_STRING_EQUAL(auth_redirect_choose(&cfg, good, NULL), good);
    CU_ASSERT_STRING_EQUAL(auth_redirect_choose(&cfg, bad, good), good);
    CU_ASSERT_STRING_EQUAL(auth_redirect_choose(&cfg, bad, bad), SITE);
    CU_ASSERT_STRING_EQUAL(auth_redirect_choose(&cfg, NULL, NULL), SITE);
    CU_ASSERT_STRING_EQUAL(auth_redirect_choose(&cfg, "https://site.example.com.evil.com", NULL),
                           SITE);
}

static void test_query_encode(void)
{
    CU_ASSERT_STRING_EQUAL(query_encode(A, "abcXYZ019-._~"), "abcXYZ019-._~");
    CU_ASSERT_STRING_EQUAL(query_encode(A, "a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
    CU_ASSERT_STRING_EQUAL(query_encode(A, "\r\n\xc3\xa9"), "%0D%0A%C3%A9");
    CU_ASSERT_STRING_EQUAL(query_encode(A, ""), "");
}

static void test_email_links(void)
{
    CU_ASSERT_STRING_EQUAL(
        auth_email_link(A, "https://api.example.com//", "/verify", "T0k-_n", "signup", NULL),
        "https://api.example.com/auth/v1/verify?token=T0k-_n&type=signup");
    CU_ASSERT_STRING_EQUAL(auth_email_link(A, "https://api.example.com", "/magiclink/verify", "t",
                                           NULL, "https://site.example.com/a?b=1&c=2"),
                           "https://api.example.com/auth/v1/magiclink/verify?token=t"
                           "&redirect_to=https%3A%2F%2Fsite.example.com%2Fa%3Fb%3D1%26c%3D2");
    /* nothing a caller passes can add a parameter or a fragment */
    const char *link = auth_email_link(A, "http://h", "/verify", "a&type=recovery#x", "signup",
                                       "x&token=evil#frag");
    CU_ASSERT_PTR_NULL(strchr(link, '#'));
    CU_ASSERT_PTR_NULL(strstr(link, "&type=recovery"));
    CU_ASSERT_PTR_NULL(strstr(link, "&token=evil"));

    auth_settings cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.site_url = SITE;
    CU_ASSERT_STRING_EQUAL(auth_link_base(&cfg), SITE);
    cfg.api_external_url = "";
    CU_ASSERT_STRING_EQUAL(auth_link_base(&cfg), SITE);
    cfg.api_external_url = "https://api.example.com";
    CU_ASSERT_STRING_EQUAL(auth_link_base(&cfg), "https://api.example.com");
}

void register_auth_urls_tests(void)
{
    CU_pSuite s = CU_add_suite("auth_urls", setup, teardown);
    CU_add_test(s, "SITE_URL matches", test_site_url_matches);
    CU_add_test(s, "look-alike hosts refused", test_lookalike_hosts);
    CU_add_test(s, "user info and backslashes refused", test_userinfo_and_backslashes);
    CU_add_test(s, "schemes and ports", test_schemes_and_ports);
    CU_add_test(s, "app schemes of mobile apps", test_app_schemes);
    CU_add_test(s, "path prefix on segment boundaries", test_path_prefix_boundaries);
    CU_add_test(s, "control and odd characters refused", test_control_and_odd_characters);
    CU_add_test(s, "bad allow-list entries ignored", test_bad_entries_ignored);
    CU_add_test(s, "requested, stored or SITE_URL", test_choose);
    CU_add_test(s, "query encoding", test_query_encode);
    CU_add_test(s, "email links", test_email_links);
}
