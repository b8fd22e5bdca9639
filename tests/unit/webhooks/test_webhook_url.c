/* Unit tests of webhook receiver URLs: every spelling of the cloud metadata
 * address 169.254.169.254 (dotted, decimal, hex, octal, short forms, mixed,
 * trailing dot, IPv4-mapped, -compatible, NAT64 and 6to4 IPv6) and of
 * fe80::/10 is refused; other schemes, relative and unparsable URLs are
 * refused; public, private and loopback receivers pass unless
 * deny_private. Names are not resolved here (resolve = false) except
 * localhost. */
#include "webhooks/webhook_url.h"

#include "webhooks_suites.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static bool url_ok(const char *url, bool deny_private)
{
    char why[256] = "";
    return webhook_url_check(url, deny_private, false, why, sizeof why);
}

static void test_metadata_spellings_refused(void)
{
    static const char *const HOSTILE[] = {
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254:80/",
        "https://169.254.169.254/",
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0xA9FEA9FE/",
        "http://0251.0376.0251.0376/",
        "http://0xa9.0xfe.0xa9.0xfe/",
        "http://0251.254.169.254/",
        "http://169.254.43518/",
        "http://169.16689662/",
        "http://0xa9.16689662/",
        "http://00000251.0376.0251.0376/",
        "http://169.254.169.254./",
        "http://user:pw@169.254.169.254/",
        "http://169.254.0.1/",
        "http://169.254.255.255/",
        "http://[::ffff:169.254.169.254]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
        "http://[::169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[fe80::1]/",
        "http://[FE80::1]/",
        "http://[fe80::a9fe:a9fe%25eth0]/",
        "http://[febf:ffff::1]/",
        "http://[fd00:ec2::254]/",
    };
    for (size_t i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; i++) {
        char why[256] = "";
        bool ok = webhook_url_check(HOSTILE[i], false, false, why, sizeof why);
        if (ok)
            fprintf(stderr, "\naccepted: %s\n", HOSTILE[i]);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_NOT_EQUAL(why[0], '\0');
    }
}

static void test_bad_urls_refused(void)
{
    static const char *const BAD[] = {
        "",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "gopher://example.com/",
        "/relative/path",
        "example.com/hook",
        "//example.com/hook",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "http://example.com/\n",
        "http://[::1/",
        "http://[zz::1]/",
        "http://\xef\xbc\x91\xef\xbc\x96\xef\xbc\x99.254.169.254/", /* fullwidth digits */
        "not a url",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        bool ok = url_ok(BAD[i], false);
        if (ok)
            fprintf(stderr, "\naccepted: %s\n", BAD[i]);
        CU_ASSERT_FALSE(ok);
    }
    char huge[WEBHOOK_URL_MAX + 64] = "http://example.com/";
    memset(huge + strlen(huge), 'a', sizeof huge - strlen(huge) - 1);
    huge[sizeof huge - 1] = '\0';
    CU_ASSERT_FALSE(url_ok(huge, false));
}

static void test_allowed_receivers(void)
{
    CU_ASSERT_TRUE(url_ok("https://example.com/hook", false));
    CU_ASSERT_TRUE(url_ok("http://example.com:8080/hook?x=1", true));
    CU_ASSERT_TRUE(url_ok("http://93.184.216.34/hook", true));
    CU_ASSERT_TRUE(url_ok("http://[2606:2800:220:1::1]/hook", true));
    CU_ASSERT_TRUE(url_ok("http://169.253.255.255/", true));
    CU_ASSERT_TRUE(url_ok("http://169.255.0.1/", true));
    /* private and loopback: allowed by default (self-hosted receivers) */
    CU_ASSERT_TRUE(url_ok("http://127.0.0.1:9000/hook", false));
    CU_ASSERT_TRUE(url_ok("http://10.1.2.3/", false));
    CU_ASSERT_TRUE(url_ok("http://192.168.1.1/", false));
    CU_ASSERT_TRUE(url_ok("http://[::1]:9000/", false));
    CU_ASSERT_TRUE(url_ok("http://[fd12::1]/", false));
}

static void test_deny_private(void)
{
    static const char *const PRIVATE[] = {
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fd12::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
    };
    for (size_t i = 0; i < sizeof PRIVATE / sizeof PRIVATE[0]; i++) {
        bool ok = url_ok(PRIVATE[i], true);
        if (ok)
            fprintf(stderr, "\naccepted with deny_private: %s\n", PRIVATE[i]);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_TRUE(url_ok(PRIVATE[i], false));
    }
    /* a name is resolved: localhost is loopback */
    char why[256];
    CU_ASSERT_FALSE(webhook_url_check("http://localhost:9000/", true, true, why, sizeof why));
    CU_ASSERT_TRUE(webhook_url_check("http://localhost:9000/", false, true, why, sizeof why));
}

static void test_addresses_at_connect(void)
{
    char why[256];
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
    CU_ASSERT_FALSE(webhook_addr_allowed((struct sockaddr *)&in, false, why, sizeof why));
    inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
    CU_ASSERT_TRUE(webhook_addr_allowed((struct sockaddr *)&in, false, why, sizeof why));
    CU_ASSERT_FALSE(webhook_addr_allowed((struct sockaddr *)&in, true, why, sizeof why));
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:169.254.1.1", &in6.sin6_addr);
    CU_ASSERT_FALSE(webhook_addr_allowed((struct sockaddr *)&in6, false, why, sizeof why));
    struct sockaddr un = {.sa_family = AF_UNIX};
    CU_ASSERT_FALSE(webhook_addr_allowed(&un, false, why, sizeof why));
}

void register_webhook_url_tests(void)
{
    CU_pSuite s = CU_add_suite("webhook_url", NULL, NULL);
    CU_add_test(s, "every spelling of 169.254.169.254 and fe80::/10 is refused",
                test_metadata_spellings_refused);
    CU_add_test(s, "other schemes, relative and unparsable URLs are refused",
                test_bad_urls_refused);
    CU_add_test(s, "public, private and loopback receivers pass", test_allowed_receivers);
    CU_add_test(s, "WEBHOOK_DENY_PRIVATE refuses private and loopback spellings",
                test_deny_private);
    CU_add_test(s, "addresses checked at connect time", test_addresses_at_connect);
}
