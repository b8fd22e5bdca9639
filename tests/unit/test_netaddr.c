/* Unit tests of address matching and client-address selection: exact and
 * CIDR entries for IPv4 and IPv6, invalid entries that never match, and
 * X-Forwarded-For believed only from trusted proxies (no spoofing). */
#include "unit.h"

#include "core/arena.h"
#include "core/netaddr.h"

#include <stdio.h>
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

static bool in(const char *addr, const char *entry)
{
    char *items[] = {(char *)entry};
    str_list l = {items, 1};
    return netaddr_in_list(addr, &l);
}

static void yes(const char *addr, const char *entry)
{
    CU_ASSERT_TRUE(in(addr, entry));
    if (!in(addr, entry))
        fprintf(stderr, "\n  %s should be in %s\n", addr, entry);
}

static void no(const char *addr, const char *entry)
{
    CU_ASSERT_FALSE(in(addr, entry));
    if (in(addr, entry))
        fprintf(stderr, "\n  %s should not be in %s\n", addr, entry);
}

static void test_ipv4(void)
{
    yes("10.0.0.1", "10.0.0.1");
    no("10.0.0.2", "10.0.0.1");
    yes("10.1.2.3", "10.0.0.0/8");
    no("11.0.0.1", "10.0.0.0/8");
    yes("10.255.255.255", "10.0.0.0/8");
    yes("192.168.1.77", "192.168.1.0/24");
    no("192.168.2.1", "192.168.1.0/24");
    yes("172.16.5.4", "172.16.0.0/12");
    yes("172.31.255.255", "172.16.0.0/12");
    no("172.32.0.0", "172.16.0.0/12");
    yes("1.2.3.4", "0.0.0.0/0");
    yes("255.255.255.255", "0.0.0.0/0");
    yes("10.0.0.1", "10.0.0.1/32");
    no("10.0.0.2", "10.0.0.1/32");
    /* host bits set in the network: still compares the prefix only */
    yes("10.9.9.9", "10.1.2.3/8");
    yes("203.0.113.7", "203.0.113.6/31");
    no("203.0.113.8", "203.0.113.6/31");
}

static void test_ipv6(void)
{
    yes("::1", "::1");
    yes("0:0:0:0:0:0:0:1", "::1");
    no("::2", "::1");
    yes("fd00::1", "fd00::/8");
    yes("fdff:ffff::1", "fd00::/8");
    no("fe80::1", "fd00::/8");
    yes("2001:db8::abcd", "2001:db8::/32");
    no("2001:db9::1", "2001:db8::/32");
    yes("2001:db8::1", "2001:db8::1/128");
    no("2001:db8::2", "2001:db8::1/128");
    yes("2001:db8::1", "::/0");
    yes("2001:DB8::1", "2001:db8::/32");
    yes("fe80::1", "fe80::/10");
    yes("febf::1", "fe80::/10");
    no("fec0::1", "fe80::/10");
    /* families never mix */
    no("::1", "127.0.0.1");
    no("127.0.0.1", "::1");
    no("10.0.0.1", "::/0");
}

static void test_invalid_entries(void)
{
    static const char *bad[] = {"10.0.0.0/33",  "10.0.0.0/-1",
                                "10.0.0.0/",    "10.0.0.0/8x",
                                "10.0.0.0/abc", "10.0.0.0//8",
                                "::/129",       "fd00::/8/8",
                                "garbage",      "",
                                "/8",           "10.0.0",
                                "10.0.0.0.0",   "256.0.0.0/0",
                                "10.0.0.1 ",    " 10.0.0.1",
                                "10.0.0.0/8 ",  "*",
                                "10.0.0.*",     "localhost",
                                "0x0a000001",   "10.0.0.0/99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        no("10.0.0.1", bad[i]);
        no("::1", bad[i]);
    }
}

static void test_invalid_addresses(void)
{
    static const char *bad[] = {"",       "garbage",    "10.0.0",    "10.0.0.1:80", "[::1]",
                                "::1%lo", "10.0.0.1/8", " 10.0.0.1", "10.0.0.1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        no(bad[i], "0.0.0.0/0");
        no(bad[i], "::/0");
    }
    char *items[] = {"0.0.0.0/0"};
    str_list l = {items, 1};
    CU_ASSERT_FALSE(netaddr_in_list(NULL, &l));
    str_list empty = {NULL, 0};
    CU_ASSERT_FALSE(netaddr_in_list("10.0.0.1", &empty));
    /* a 4 KB address */
    char big[4096];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CU_ASSERT_FALSE(netaddr_in_list(big, &l));
}

static void test_list(void)
{
    char *items[] = {"garbage", "10.0.0.0/33", "192.168.0.0/16", "::1"};
    str_list l = {items, 4};
    CU_ASSERT_TRUE(netaddr_in_list("192.168.3.4", &l));
    CU_ASSERT_TRUE(netaddr_in_list("::1", &l));
    CU_ASSERT_FALSE(netaddr_in_list("10.0.0.1", &l));
}

static void test_client_untrusted(void)
{
    char *items[] = {"10.0.0.0/8"};
    str_list trusted = {items, 1};
    str_list none = {NULL, 0};
    /* no trusted proxies: X-Forwarded-For is ignored */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "203.0.113.9", "1.2.3.4", &none), "203.0.113.9");
    /* untrusted peer spoofing X-Forwarded-For */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "203.0.113.9", "10.0.0.5", &trusted), "203.0.113.9");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "203.0.113.9", "1.2.3.4, 10.0.0.5", &trusted),
                           "203.0.113.9");
    /* no header */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", NULL, &trusted), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "203.0.113.9", NULL, &trusted), "203.0.113.9");
}

static void test_client_trusted(void)
{
    char *items[] = {"10.0.0.0/8", "fd00::/8"};
    str_list trusted = {items, 2};
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", "198.51.100.7", &trusted), "198.51.100.7");
    /* right-most untrusted entry: anything left of it may be forged */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", "6.6.6.6, 198.51.100.7", &trusted),
                           "198.51.100.7");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", "6.6.6.6,198.51.100.7", &trusted),
                           "198.51.100.7");
    /* a chain of trusted proxies is skipped */
    CU_ASSERT_STRING_EQUAL(
        netaddr_client(A, "10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.3, 10.0.0.2", &trusted),
        "198.51.100.7");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "fd00::1", "2001:db8::5, fd00::2", &trusted),
                           "2001:db8::5");
    /* spaces and tabs around entries */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", "  198.51.100.7\t ,  10.0.0.9 ", &trusted),
                           "198.51.100.7");
    /* every entry trusted: the peer */
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", "10.0.0.2, 10.0.0.3", &trusted),
                           "10.0.0.1");
}

static void test_client_garbage(void)
{
    char *items[] = {"10.0.0.0/8"};
    str_list trusted = {items, 1};
    static const char *bad[] = {"garbage",
                                "",
                                ",",
                                "198.51.100.7,",
                                "1.2.3.4, garbage",
                                "198.51.100.7:443",
                                "[2001:db8::1]",
                                "unknown",
                                "1.2.3.4\r\nX: y",
                                "198.51.100.7, , 10.0.0.2",
                                "<script>",
                                "999.999.999.999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *got = netaddr_client(A, "10.0.0.1", bad[i], &trusted);
        CU_ASSERT_STRING_EQUAL(got, "10.0.0.1");
        if (strcmp(got, "10.0.0.1") != 0)
            fprintf(stderr, "\n  X-Forwarded-For \"%s\" gave %s, want 10.0.0.1\n", bad[i], got);
    }
    /* a 64 KB header of trusted entries ending in garbage */
    size_t n = 64 * 1024;
    char *big = arena_alloc(A, n + 16);
    size_t len = 0;
    while (len + 12 < n)
        len += (size_t)sprintf(big + len, "10.0.0.9, ");
    strcpy(big + len, "x");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", big, &trusted), "10.0.0.1");
    strcpy(big + len, "10.0.0.2");
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", big, &trusted), "10.0.0.1");
    memcpy(big, "8.8.8.8 ", 8);
    CU_ASSERT_STRING_EQUAL(netaddr_client(A, "10.0.0.1", big, &trusted), "8.8.8.8");
}

void register_netaddr_tests(void)
{
    CU_pSuite s = CU_add_suite("netaddr", setup, teardown);
    CU_add_test(s, "IPv4 exact and CIDR", test_ipv4);
    CU_add_test(s, "IPv6 exact and CIDR", test_ipv6);
    CU_add_test(s, "invalid entries never match", test_invalid_entries);
    CU_add_test(s, "invalid addresses", test_invalid_addresses);
    CU_add_test(s, "list of entries", test_list);
    CU_add_test(s, "client: untrusted peer", test_client_untrusted);
    CU_add_test(s, "client: trusted proxies", test_client_trusted);
    CU_add_test(s, "client: garbage X-Forwarded-For", test_client_garbage);
}
