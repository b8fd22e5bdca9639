/* Unit tests of percent-decoding, query-string parsing and strict UTF-8
 * validation: order and repeated keys kept, '+' handling, empty pairs, and
 * hostile input (bad escapes, NUL, invalid/overlong/surrogate UTF-8,
 * overlong query strings). */
#include "unit.h"

#include "core/arena.h"
#include "core/query.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
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

static query_status decode(const char *s, bool plus, char **out)
{
    *out = NULL;
    return percent_decode(A, s, strlen(s), plus, out);
}

static query_status parse(const char *qs, query_params *q)
{
    return query_parse(A, qs, 16384, q);
}

/* ---- percent_decode ---- */

static void test_decode_plain(void)
{
    char *out;
    CU_ASSERT_EQUAL(decode("hello", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "hello");
    CU_ASSERT_EQUAL(decode("", false, &out), QUERY_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(decode("a%20b%2Fc%2fd", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "a b/c/d");
    CU_ASSERT_EQUAL(decode("%41%42%43", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "ABC");
    CU_ASSERT_EQUAL(decode("%7e%7E", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "~~");
}

static void test_decode_length_bounded(void)
{
    /* only n bytes are decoded, even when s goes on */
    char *out;
    CU_ASSERT_EQUAL(percent_decode(A, "abc%41def", 3, false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "abc");
    /* "%4" followed by a byte past n: the escape is truncated */
    CU_ASSERT_EQUAL(percent_decode(A, "ab%41", 4, false, &out), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(percent_decode(A, "ab%41", 5, false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "abA");
    CU_ASSERT_EQUAL(percent_decode(A, "%41", 3, false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "A");
    CU_ASSERT_EQUAL(percent_decode(A, "xyz", 0, false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_decode_plus(void)
{
    char *out;
    CU_ASSERT_EQUAL(decode("a+b", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "a b");
    CU_ASSERT_EQUAL(decode("a+b", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "a+b");
    CU_ASSERT_EQUAL(decode("%2B", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "+");
    CU_ASSERT_EQUAL(decode("%2b+%2B", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "+ +");
    CU_ASSERT_EQUAL(decode("+++", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "   ");
}

static void test_decode_bad_escape(void)
{
    static const char *bad[] = {"%zz", "%4",  "%",   "abc%", "%g1", "%1g",  "a%%",      "%%41",
                                "%-1", "% 1", "%+1", "%0x",  "%x0", "ok%2", "%\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        query_status st = decode(bad[i], true, &out);
        CU_ASSERT_EQUAL(st, QUERY_BAD_ESCAPE);
        if (st != QUERY_BAD_ESCAPE)
            fprintf(stderr, "\n  percent_decode(\"%s\") = %d, want QUERY_BAD_ESCAPE\n", bad[i], st);
    }
}

static void test_decode_nul(void)
{
    char *out;
    CU_ASSERT_EQUAL(decode("%00", false, &out), QUERY_NUL);
    CU_ASSERT_EQUAL(decode("abc%00def", true, &out), QUERY_NUL);
    CU_ASSERT_EQUAL(decode("a%00", true, &out), QUERY_NUL);
    /* a raw NUL inside the n bytes */
    CU_ASSERT_EQUAL(percent_decode(A, "a\0b", 3, false, &out), QUERY_NUL);
}

static void test_decode_bad_utf8(void)
{
    static const char *bad[] = {
        "%ff",          /* never valid */
        "%fe",          /* never valid */
        "%c0%af",       /* overlong '/' */
        "%c1%bf",       /* overlong */
        "%e0%80%af",    /* overlong 3-byte '/' */
        "%f0%80%80%af", /* overlong 4-byte '/' */
        "%ed%a0%80",    /* surrogate U+D800 */
        "%ed%bf%bf",    /* surrogate U+DFFF */
        "%e2%82",       /* truncated euro */
        "%e2",          /* truncated lead */
        "%80",          /* lone continuation */
        "%bf",          /* lone continuation */
        "a%e2%82b",     /* truncated then ASCII */
        "%f4%90%80%80", /* above U+10FFFF */
        "%f5%80%80%80", /* f5 lead */
        "%c3%28",       /* bad continuation */
        "%e2%28%a1",    /* bad second byte */
        "%e2%82%28",    /* bad third byte */
        "%f0%9f%98",    /* truncated 4-byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        query_status st = decode(bad[i], true, &out);
        CU_ASSERT_EQUAL(st, QUERY_BAD_UTF8);
        if (st != QUERY_BAD_UTF8)
            fprintf(stderr, "\n  percent_decode(\"%s\") = %d, want QUERY_BAD_UTF8\n", bad[i], st);
    }
    /* raw invalid bytes, not escaped, are refused as well */
    char *out;
    CU_ASSERT_EQUAL(decode("a\xff", false, &out), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(decode("\xc0\xaf", false, &out), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(decode("\xed\xa0\x80", false, &out), QUERY_BAD_UTF8);
}

static void test_decode_valid_multibyte(void)
{
    char *out;
    CU_ASSERT_EQUAL(decode("%e2%82%ac", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\x82\xac");
    CU_ASSERT_EQUAL(decode("%E2%82%AC", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\x82\xac");
    CU_ASSERT_EQUAL(decode("%c3%a9t%C3%A9", true, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "\xc3\xa9t\xc3\xa9");
    CU_ASSERT_EQUAL(decode("%f0%9f%98%80", true, &out), QUERY_OK); /* U+1F600 */
    CU_ASSERT_STRING_EQUAL(out, "\xf0\x9f\x98\x80");
    /* raw UTF-8 passes through */
    CU_ASSERT_EQUAL(decode("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    /* mixed: raw lead byte with escaped continuation bytes */
    CU_ASSERT_EQUAL(decode("\xe2%82%ac", false, &out), QUERY_OK);
    CU_ASSERT_STRING_EQUAL(out, "\xe2\x82\xac");
}

static void test_status_messages(void)
{
    query_status all[] = {QUERY_OK, QUERY_BAD_ESCAPE, QUERY_BAD_UTF8, QUERY_NUL, QUERY_TOO_LONG};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *m = query_status_message(all[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT(strlen(m) > 0);
    }
    CU_ASSERT_STRING_NOT_EQUAL(query_status_message(QUERY_BAD_ESCAPE),
                               query_status_message(QUERY_BAD_UTF8));
}

/* ---- query_parse / query_get ---- */

static void test_parse_order_and_repeats(void)
{
    query_params q;
    CU_ASSERT_EQUAL_FATAL(parse("select=id,name&price=gte.10&price=lte.200&order=id.desc", &q),
                          QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 4);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "select");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "id,name");
    CU_ASSERT_STRING_EQUAL(q.items[1].key, "price");
    CU_ASSERT_STRING_EQUAL(q.items[1].value, "gte.10");
    CU_ASSERT_STRING_EQUAL(q.items[2].key, "price");
    CU_ASSERT_STRING_EQUAL(q.items[2].value, "lte.200");
    CU_ASSERT_STRING_EQUAL(q.items[3].key, "order");
    CU_ASSERT_STRING_EQUAL(q.items[3].value, "id.desc");
    /* query_get returns the first value */
    CU_ASSERT_STRING_EQUAL(query_get(&q, "price"), "gte.10");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "order"), "id.desc");
    CU_ASSERT_PTR_NULL(query_get(&q, "missing"));
    CU_ASSERT_PTR_NULL(query_get(&q, "Price")); /* keys are case-sensitive */
    CU_ASSERT_PTR_NULL(query_get(&q, "pric"));
    CU_ASSERT_PTR_NULL(query_get(&q, ""));
}

static void test_parse_plus_and_escapes(void)
{
    query_params q;
    CU_ASSERT_EQUAL_FATAL(parse("q=a+b&p=%2B1&k+x=v%26w%3Dz", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 3);
    CU_ASSERT_STRING_EQUAL(query_get(&q, "q"), "a b");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "p"), "+1");
    /* escaped & and = do not split */
    CU_ASSERT_STRING_EQUAL(query_get(&q, "k x"), "v&w=z");
    /* an escaped '=' in a key stays in the key */
    CU_ASSERT_EQUAL_FATAL(parse("a%3Db=c", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "a=b");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "c");
    /* a value may contain raw '=' after the first */
    CU_ASSERT_EQUAL_FATAL(parse("filter=eq.a=b", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "filter");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "eq.a=b");
}

static void test_parse_empty_parts(void)
{
    query_params q;
    CU_ASSERT_EQUAL_FATAL(parse("flag&a=1", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 2);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "flag");
    CU_ASSERT_PTR_NOT_NULL_FATAL(q.items[0].value);
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "flag"), "");

    CU_ASSERT_EQUAL_FATAL(parse("&&a=1&&&b=2&&", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 2);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "a");
    CU_ASSERT_STRING_EQUAL(q.items[1].key, "b");
    CU_ASSERT_STRING_EQUAL(q.items[1].value, "2");

    CU_ASSERT_EQUAL_FATAL(parse("=v", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "v");

    CU_ASSERT_EQUAL_FATAL(parse("a=", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "");

    CU_ASSERT_EQUAL_FATAL(parse("=", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "");

    CU_ASSERT_EQUAL(parse("", &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 0);
    CU_ASSERT_PTR_NULL(query_get(&q, "a"));
    CU_ASSERT_EQUAL(parse("&", &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 0);
    CU_ASSERT_EQUAL(parse("&&&&&&&&", &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 0);
}

static void test_parse_null(void)
{
    query_params q = {(query_param *)&q, 99};
    CU_ASSERT_EQUAL(query_parse(A, NULL, 100, &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 0);
    CU_ASSERT_PTR_NULL(query_get(&q, "a"));
}

static void test_parse_errors(void)
{
    query_params q;
    CU_ASSERT_EQUAL(parse("a=%zz", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("%zz=1", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("a=1&b=%4", &q), QUERY_BAD_ESCAPE);
    /* a trailing '%' must not read into the next pair */
    CU_ASSERT_EQUAL(parse("a=%&b=1", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("a=%4&1=1", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("a=%", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("a=%g1", &q), QUERY_BAD_ESCAPE);
    CU_ASSERT_EQUAL(parse("a=%00", &q), QUERY_NUL);
    CU_ASSERT_EQUAL(parse("%00=a", &q), QUERY_NUL);
    CU_ASSERT_EQUAL(parse("a=%ff", &q), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(parse("a=%c0%af", &q), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(parse("a=%ed%a0%80", &q), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(parse("a=%e2%82", &q), QUERY_BAD_UTF8);
    /* a multibyte sequence must not be split across '&' */
    CU_ASSERT_EQUAL(parse("a=%e2&b=%82%ac", &q), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(parse("k%ff=1", &q), QUERY_BAD_UTF8);
    CU_ASSERT_EQUAL(parse("ok=1&bad=\xff", &q), QUERY_BAD_UTF8);
}

static void test_parse_multibyte(void)
{
    query_params q;
    CU_ASSERT_EQUAL_FATAL(parse("name=%e2%82%ac&city=M\xc3\xbcnchen&%c3%a9=1", &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 3);
    CU_ASSERT_STRING_EQUAL(query_get(&q, "name"), "\xe2\x82\xac");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "city"), "M\xc3\xbcnchen");
    CU_ASSERT_STRING_EQUAL(query_get(&q, "\xc3\xa9"), "1");
}

static void test_parse_length_limit(void)
{
    query_params q;
    /* exactly max_len is accepted, one more is refused */
    const char *qs = "a=12345678"; /* 10 bytes */
    CU_ASSERT_EQUAL(query_parse(A, qs, 10, &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 1);
    CU_ASSERT_EQUAL(query_parse(A, qs, 9, &q), QUERY_TOO_LONG);
    CU_ASSERT_EQUAL(query_parse(A, qs, 0, &q), QUERY_TOO_LONG);
    CU_ASSERT_EQUAL(query_parse(A, "", 0, &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, 0);
    /* the limit applies to the raw text, before decoding */
    CU_ASSERT_EQUAL(query_parse(A, "a=%41%41%41", 11, &q), QUERY_OK);
    CU_ASSERT_EQUAL(query_parse(A, "a=%41%41%41", 10, &q), QUERY_TOO_LONG);
}

static void test_parse_100k(void)
{
    /* 100 KB: many pairs; refused under a small limit, parsed under a large one */
    size_t n = 100 * 1024;
    char *qs = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(qs);
    size_t len = 0, pairs = 0;
    while (len + 16 < n) {
        len += (size_t)snprintf(qs + len, n + 1 - len, "k%zu=v%%41&", pairs % 1000);
        pairs++;
    }
    while (len < n)
        qs[len++] = 'x';
    qs[len] = '\0';
    query_params q;
    CU_ASSERT_EQUAL(query_parse(A, qs, 16384, &q), QUERY_TOO_LONG);
    CU_ASSERT_EQUAL_FATAL(query_parse(A, qs, n, &q), QUERY_OK);
    CU_ASSERT_EQUAL(q.count, pairs + 1);
    CU_ASSERT_STRING_EQUAL(q.items[0].key, "k0");
    CU_ASSERT_STRING_EQUAL(q.items[0].value, "vA");
    CU_ASSERT_STRING_EQUAL(q.items[pairs - 1].value, "vA");
    CU_ASSERT_EQUAL(strspn(q.items[pairs].key, "x"), strlen(q.items[pairs].key));
    /* one long value */
    memset(qs, 'z', n);
    qs[0] = 'a';
    qs[1] = '=';
    qs[n] = '\0';
    CU_ASSERT_EQUAL_FATAL(query_parse(A, qs, n, &q), QUERY_OK);
    CU_ASSERT_EQUAL_FATAL(q.count, 1);
    CU_ASSERT_EQUAL(strlen(q.items[0].value), n - 2);
    /* a bad escape at the very end of 100 KB */
    qs[n - 1] = '%';
    CU_ASSERT_EQUAL(query_parse(A, qs, n, &q), QUERY_BAD_ESCAPE);
    free(qs);
}

/* ---- utf8_valid ---- */

static bool u8(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void test_utf8_boundaries(void)
{
    CU_ASSERT_TRUE(u8(""));
    CU_ASSERT_TRUE(utf8_valid("", 0));
    CU_ASSERT_TRUE(u8("\x7f"));             /* U+007F */
    CU_ASSERT_TRUE(u8("\xc2\x80"));         /* U+0080 */
    CU_ASSERT_TRUE(u8("\xdf\xbf"));         /* U+07FF */
    CU_ASSERT_TRUE(u8("\xe0\xa0\x80"));     /* U+0800 */
    CU_ASSERT_TRUE(u8("\xed\x9f\xbf"));     /* U+D7FF */
    CU_ASSERT_TRUE(u8("\xee\x80\x80"));     /* U+E000 */
    CU_ASSERT_TRUE(u8("\xef\xbf\xbf"));     /* U+FFFF */
    CU_ASSERT_TRUE(u8("\xf0\x90\x80\x80")); /* U+10000 */
    CU_ASSERT_TRUE(u8("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
    CU_ASSERT_TRUE(u8("\xef\xbb\xbf"));     /* BOM is a valid character */
    /* NUL is valid UTF-8 when counted in n */
    CU_ASSERT_TRUE(utf8_valid("a\0b", 3));
}

static void test_utf8_invalid(void)
{
    CU_ASSERT_FALSE(u8("\xf4\x90\x80\x80")); /* U+110000 */
    CU_ASSERT_FALSE(u8("\xf7\xbf\xbf\xbf")); /* U+1FFFFF */
    for (int b = 0xf5; b <= 0xff; b++) {
        char s[5] = {(char)b, '\x80', '\x80', '\x80', 0};
        CU_ASSERT_FALSE(utf8_valid(s, 4));
        CU_ASSERT_FALSE(utf8_valid(s, 1));
    }
    for (int b = 0x80; b <= 0xbf; b++) { /* lone continuation bytes */
        char s[3] = {'a', (char)b, 0};
        CU_ASSERT_FALSE(utf8_valid(s, 2));
        CU_ASSERT_FALSE(utf8_valid(s + 1, 1));
    }
    CU_ASSERT_FALSE(u8("\xc0\x80"));                 /* overlong NUL */
    CU_ASSERT_FALSE(u8("\xc1\xbf"));                 /* overlong U+007F */
    CU_ASSERT_FALSE(u8("\xe0\x9f\xbf"));             /* overlong U+07FF */
    CU_ASSERT_FALSE(u8("\xe0\x80\x80"));             /* overlong NUL */
    CU_ASSERT_FALSE(u8("\xf0\x8f\xbf\xbf"));         /* overlong U+FFFF */
    CU_ASSERT_FALSE(u8("\xed\xa0\x80"));             /* U+D800 */
    CU_ASSERT_FALSE(u8("\xed\xbf\xbf"));             /* U+DFFF */
    CU_ASSERT_FALSE(u8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 surrogate pair */
    CU_ASSERT_FALSE(u8("\xc2"));                     /* truncated */
    CU_ASSERT_FALSE(u8("\xe2\x82"));                 /* truncated */
    CU_ASSERT_FALSE(u8("\xf0\x9f\x98"));             /* truncated */
    CU_ASSERT_FALSE(u8("\xc2\x41"));                 /* ASCII as continuation */
    CU_ASSERT_FALSE(u8("\xe2\x82\x41"));
    CU_ASSERT_FALSE(u8("\xf0\x9f\x41\x80"));
    CU_ASSERT_FALSE(u8("\xf0\x9f\x98\x41"));
    CU_ASSERT_FALSE(u8("\xc2\xc2\x80")); /* lead as continuation */
    /* a valid sequence cut by n */
    CU_ASSERT_FALSE(utf8_valid("\xe2\x82\xac", 2));
    CU_ASSERT_FALSE(utf8_valid("\xf0\x90\x80\x80", 3));
    CU_ASSERT_TRUE(utf8_valid("\xe2\x82\xac", 3));
    CU_ASSERT_TRUE(utf8_valid("ab\xe2\x82\xac", 2));
}

/* utf8_scrub: invalid bytes become '?', valid text stays as it is */
static void test_utf8_scrub(void)
{
    char a[] = "caf\xc3\xa9 \xe2\x82\xac";
    utf8_scrub(a);
    CU_ASSERT_STRING_EQUAL(a, "caf\xc3\xa9 \xe2\x82\xac");
    char b[] = "a\xff"
               "b\xe2\x82"; /* a stray byte, a sequence cut short */
    utf8_scrub(b);
    CU_ASSERT_STRING_EQUAL(b, "a?b??");
    char c[] = "\xed\xa0\x80x\xc0\x80"; /* a surrogate, an overlong NUL */
    utf8_scrub(c);
    CU_ASSERT_STRING_EQUAL(c, "???x??");
    CU_ASSERT_TRUE(u8(b) && u8(c));
}

void register_query_tests(void)
{
    CU_pSuite s = CU_add_suite("query", setup, teardown);
    CU_add_test(s, "decode plain and escapes", test_decode_plain);
    CU_add_test(s, "decode only n bytes", test_decode_length_bounded);
    CU_add_test(s, "decode plus", test_decode_plus);
    CU_add_test(s, "decode bad escapes", test_decode_bad_escape);
    CU_add_test(s, "decode NUL", test_decode_nul);
    CU_add_test(s, "decode invalid UTF-8", test_decode_bad_utf8);
    CU_add_test(s, "decode valid multibyte", test_decode_valid_multibyte);
    CU_add_test(s, "status messages", test_status_messages);
    CU_add_test(s, "parse keeps order and repeats", test_parse_order_and_repeats);
    CU_add_test(s, "parse plus and escapes", test_parse_plus_and_escapes);
    CU_add_test(s, "parse empty pairs and keys", test_parse_empty_parts);
    CU_add_test(s, "parse NULL", test_parse_null);
    CU_add_test(s, "parse errors", test_parse_errors);
    CU_add_test(s, "parse multibyte", test_parse_multibyte);
    CU_add_test(s, "parse length limit", test_parse_length_limit);
    CU_add_test(s, "parse 100 KB", test_parse_100k);
    CU_add_test(s, "utf8 boundaries", test_utf8_boundaries);
    CU_add_test(s, "utf8 invalid", test_utf8_invalid);
    CU_add_test(s, "utf8 scrub", test_utf8_scrub);
}
