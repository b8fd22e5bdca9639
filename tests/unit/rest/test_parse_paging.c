/* limit / offset (root and embedded) and the Range header: PostgREST's
 * intersection of the two, GET/HEAD only, Range-Unit items, malformed
 * headers ignored, unsatisfiable ones 416. */
#include "parse_test_util.h"

static rest_request *with_range(rest_method method, const char *qs, const char *range,
                                const char *unit)
{
    rest_parse_input in = tu_input(method, qs);
    in.range = range;
    in.range_unit = unit;
    return tu_ok_in(&in, NULL);
}

static rest_parse_error *range_fails(const char *qs, const char *range)
{
    rest_parse_input in = tu_input(REST_GET, qs);
    in.range = range;
    return tu_fail_in(&in, NULL);
}

static void test_limit_offset(void)
{
    rest_request *r = tu_ok("");
    CU_ASSERT_EQUAL(r->paging.offset, 0);
    CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
    CU_ASSERT_EQUAL(r->paging.path.count, 0);
    CU_ASSERT_FALSE(r->range_header_used);
    r = tu_ok("limit=10&offset=20");
    CU_ASSERT_EQUAL(r->paging.offset, 20);
    CU_ASSERT_EQUAL(r->paging.limit, 10);
    CU_ASSERT_EQUAL(tu_ok("limit=0")->paging.limit, 0);
    CU_ASSERT_EQUAL(tu_ok("offset=007")->paging.offset, 7);
    CU_ASSERT_EQUAL(tu_ok("limit=9223372036854775807")->paging.limit, 9223372036854775807LL);
    CU_ASSERT_EQUAL(r->embed_page_count, 0);
}

static void test_embedded(void)
{
    rest_request *r = tu_ok("clients.limit=5&projects.tasks.offset=2&clients.offset=1&limit=3");
    CU_ASSERT_EQUAL(r->paging.limit, 3);
    CU_ASSERT_EQUAL_FATAL(r->embed_page_count, 2);
    ASSERT_STR(tu_path(&r->embed_pages[0].path), "clients.");
    CU_ASSERT_EQUAL(r->embed_pages[0].limit, 5);
    CU_ASSERT_EQUAL(r->embed_pages[0].offset, 1);
    ASSERT_STR(tu_path(&r->embed_pages[1].path), "projects.tasks.");
    CU_ASSERT_EQUAL(r->embed_pages[1].limit, REST_NO_LIMIT);
    CU_ASSERT_EQUAL(r->embed_pages[1].offset, 2);
}

static void test_errors(void)
{
    ASSERT_BAD("limit=abc", "limit must be a non-negative integer but is 'abc'");
    ASSERT_BAD("limit=", "limit must be a non-negative integer but is ''");
    ASSERT_BAD("limit=1.5", "limit must be a non-negative integer but is '1.5'");
    ASSERT_BAD("limit=%205", "limit must be a non-negative integer but is ' 5'");
    ASSERT_BAD("limit=%2B5", "limit must be a non-negative integer but is '+5'");
    ASSERT_BAD("offset=-1", "offset must be a non-negative integer but is '-1'");
    ASSERT_BAD("offset=x", "offset must be a non-negative integer");
    ASSERT_BAD("limit=9223372036854775808", "limit is too large but is '9223372036854775808'");
    ASSERT_BAD("clients.limit=z", "clients.limit must be a non-negative integer but is 'z'");
    ASSERT_BAD("limit=1&limit=2", "duplicate parameter 'limit'");
    ASSERT_BAD("offset=1&offset=1", "duplicate parameter 'offset'");
    ASSERT_BAD("a.limit=1&a.limit=2", "duplicate parameter 'a.limit'");
    ASSERT_BAD("a.offset=0&a.offset=0", "duplicate parameter 'a.offset'");
    rest_parse_error *e = tu_fail("limit=-1");
    ASSERT_ERROR(e, 416, "PGRST103", "Requested range not satisfiable: limit=-1 is negative");
    ASSERT_STR(e->details, "Limit should be greater than or equal to zero.");
    ASSERT_ERROR(tu_fail("clients.limit=-3"), 416, "PGRST103", "clients.limit=-3 is negative");
    ASSERT_STR(tu_fail("limit=abc")->details, "limit=abc");
    ASSERT_STR(tu_fail("limit=-")->code, "PGRST100");
}

static void test_range_header(void)
{
    rest_request *r = with_range(REST_GET, "", "0-19", NULL);
    CU_ASSERT_EQUAL(r->paging.offset, 0);
    CU_ASSERT_EQUAL(r->paging.limit, 20);
    CU_ASSERT_TRUE(r->range_header_used);
    r = with_range(REST_GET, "", "10-", "items");
    CU_ASSERT_EQUAL(r->paging.offset, 10);
    CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
    r = with_range(REST_HEAD, "", "5-5", " ITEMS ");
    CU_ASSERT_EQUAL(r->paging.offset, 5);
    CU_ASSERT_EQUAL(r->paging.limit, 1);
    r = with_range(REST_GET, "", " items=0-9 ", NULL);
    CU_ASSERT_EQUAL(r->paging.limit, 10);
}

static void test_range_ignored(void)
{
    static const char *const malformed[] = {
        "abc", "-5", "1-2-3", "", "a-b", "0-x", "5", "99999999999999999999-", "bytes=0-9"};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        rest_request *r = with_range(REST_GET, "", malformed[i], NULL);
        CU_ASSERT_FALSE(r->range_header_used);
        CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
        CU_ASSERT_EQUAL(r->paging.offset, 0);
    }
    rest_request *r = with_range(REST_GET, "", "0-9", "bytes");
    CU_ASSERT_FALSE(r->range_header_used);
    CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
    static const rest_method writes[] = {REST_POST, REST_PATCH, REST_PUT, REST_DELETE};
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
        r = with_range(writes[i], "", "5-2", NULL); /* not even checked */
        CU_ASSERT_FALSE(r->range_header_used);
    }
}

static void test_range_with_limit_offset(void)
{
    rest_request *r = with_range(REST_GET, "limit=5", "0-19", NULL);
    CU_ASSERT_EQUAL(r->paging.offset, 0);
    CU_ASSERT_EQUAL(r->paging.limit, 5);
    r = with_range(REST_GET, "offset=5", "0-9", NULL);
    CU_ASSERT_EQUAL(r->paging.offset, 5);
    CU_ASSERT_EQUAL(r->paging.limit, 5);
    r = with_range(REST_GET, "offset=2&limit=100", "10-", NULL);
    CU_ASSERT_EQUAL(r->paging.offset, 10);
    CU_ASSERT_EQUAL(r->paging.limit, 92);
    r = with_range(REST_GET, "limit=0", "0-9", NULL);
    CU_ASSERT_EQUAL(r->paging.limit, 0);
    CU_ASSERT_FALSE(r->range_header_used);
    r = with_range(REST_GET, "offset=9223372036854775807&limit=9223372036854775807", "0-", NULL);
    CU_ASSERT_EQUAL(r->paging.offset, 9223372036854775807LL);
    CU_ASSERT_EQUAL(r->paging.limit, REST_NO_LIMIT);
}

static void test_range_unsatisfiable(void)
{
    rest_parse_error *e = range_fails("", "5-2");
    ASSERT_ERROR(e, 416, "PGRST103", "the Range header starts at 5, after its end 2");
    ASSERT_STR(e->details, "The lower boundary must be lower than or equal to the upper boundary "
                           "in the Range header.");
    e = range_fails("offset=30", "0-9");
    ASSERT_ERROR(e, 416, "PGRST103", "the Range header and limit/offset select no rows together");
    ASSERT_STR(e->details, "Range: 0-9");
}

void register_rest_parse_paging_tests(void)
{
    CU_pSuite s = tu_add_suite("rest parse: limit, offset, Range");
    CU_add_test(s, "limit and offset", test_limit_offset);
    CU_add_test(s, "embedded", test_embedded);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "Range header", test_range_header);
    CU_add_test(s, "Range header ignored", test_range_ignored);
    CU_add_test(s, "Range with limit/offset", test_range_with_limit_offset);
    CU_add_test(s, "Range unsatisfiable", test_range_unsatisfiable);
}
