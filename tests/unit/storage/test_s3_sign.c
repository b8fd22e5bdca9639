/* The S3 backend's pure parts: the presigned URL of AWS's published SigV4
 * query-signing example (examplebucket/test.txt, 24 May 2013, 86400 s),
 * path-style and virtual-hosted addresses, URI encoding, the settings
 * check. */
#include "storage_suites.h"

#include "core/arena.h"
#include "storage/backend_s3.h"

#include <CUnit/CUnit.h>
#include <string.h>

static storage_s3_settings example(void)
{
    storage_s3_settings s;
    memset(&s, 0, sizeof s);
    s.endpoint = "https://s3.amazonaws.com";
    s.bucket = "examplebucket";
    s.region = "us-east-1";
    s.access_key = "AKIAIOSFODNN7EXAMPLE";
    s.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    s.path_style = false;
    return s;
}

static void test_aws_example(void)
{
    arena *a = arena_new(4096);
    storage_s3_settings s = example();
    storage_s3_where w;
    CU_ASSERT_TRUE_FATAL(storage_s3_where_of(a, &s, "test.txt", &w));
    CU_ASSERT_STRING_EQUAL(w.host, "examplebucket.s3.amazonaws.com");
    CU_ASSERT_STRING_EQUAL(w.path, "/test.txt");
    const char *url =
        storage_s3_presign(a, &w, s.region, s.access_key, s.secret_key, 1369353600, 86400, NULL, 0);
    CU_ASSERT_STRING_EQUAL(
        url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
             "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Signature="
             "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    arena_free(a);
}

static void test_extra_params_sorted_and_signed(void)
{
    arena *a = arena_new(4096);
    storage_s3_settings s = example();
    storage_s3_where w;
    CU_ASSERT_TRUE_FATAL(storage_s3_where_of(a, &s, "test.txt", &w));
    storage_s3_param extra[] = {{"response-content-type", "image/png"},
                                {"response-content-disposition", "attachment"}};
    const char *plain =
        storage_s3_presign(a, &w, s.region, s.access_key, s.secret_key, 1369353600, 60, NULL, 0);
    const char *url =
        storage_s3_presign(a, &w, s.region, s.access_key, s.secret_key, 1369353600, 60, extra, 2);
    const char *disp = strstr(url, "&response-content-disposition=attachment");
    const char *type = strstr(url, "&response-content-type=image%2Fpng");
    CU_ASSERT_PTR_NOT_NULL_FATAL(disp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(type);
    CU_ASSERT_TRUE(disp < type);
    CU_ASSERT_TRUE(strstr(url, "X-Amz-SignedHeaders=host") < disp);
    /* the parameters are part of what is signed */
    CU_ASSERT_STRING_NOT_EQUAL(strstr(url, "X-Amz-Signature="), strstr(plain, "X-Amz-Signature="));
    arena_free(a);
}

static void test_path_style(void)
{
    arena *a = arena_new(4096);
    storage_s3_settings s = example();
    s.endpoint = "http://127.0.0.1:9000/";
    s.path_style = true;
    storage_s3_where w;
    CU_ASSERT_TRUE_FATAL(storage_s3_where_of(a, &s, "objects/ab/ab12/v1", &w));
    CU_ASSERT_STRING_EQUAL(w.host, "127.0.0.1:9000");
    CU_ASSERT_STRING_EQUAL(w.path, "/examplebucket/objects/ab/ab12/v1");
    CU_ASSERT_STRING_EQUAL(storage_s3_url(a, &w),
                           "http://127.0.0.1:9000/examplebucket/objects/ab/ab12/v1");
    CU_ASSERT_TRUE_FATAL(storage_s3_where_of(a, &s, "", &w));
    CU_ASSERT_STRING_EQUAL(w.path, "/examplebucket"); /* the bucket itself */
    s.endpoint = "http://127.0.0.1:9000/prefix";
    CU_ASSERT_FALSE(storage_s3_where_of(a, &s, "k", &w));
    s.endpoint = "ftp://127.0.0.1";
    CU_ASSERT_FALSE(storage_s3_where_of(a, &s, "k", &w));
    arena_free(a);
}

static void test_uri_encode(void)
{
    arena *a = arena_new(4096);
    CU_ASSERT_STRING_EQUAL(storage_s3_uri_encode(a, "a b/c~d(e)*", true), "a%20b/c~d%28e%29%2A");
    CU_ASSERT_STRING_EQUAL(storage_s3_uri_encode(a, "a/b", false), "a%2Fb");
    CU_ASSERT_STRING_EQUAL(storage_s3_uri_encode(a, "\xc3\xa9", false), "%C3%A9");
    CU_ASSERT_STRING_EQUAL(storage_s3_key(a, "abcdef", "v1"), "objects/ab/abcdef/v1");
    arena_free(a);
}

static void test_settings_complete(void)
{
    storage_s3_settings s = example();
    char err[200];
    CU_ASSERT_TRUE(storage_s3_settings_complete(&s, err, sizeof err));
    s.secret_key = "";
    CU_ASSERT_FALSE(storage_s3_settings_complete(&s, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "STORAGE_S3_SECRET_KEY"));
    s = example();
    s.endpoint = "http://host/path";
    CU_ASSERT_FALSE(storage_s3_settings_complete(&s, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "STORAGE_S3_ENDPOINT"));
}

static void test_ranges(void)
{
    storage_s3_range r;
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=0-9", 100, &r), STORAGE_S3_RANGE_ONE);
    CU_ASSERT(r.start == 0 && r.end == 9);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=90-200", 100, &r), STORAGE_S3_RANGE_ONE);
    CU_ASSERT(r.start == 90 && r.end == 99);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=50-", 100, &r), STORAGE_S3_RANGE_ONE);
    CU_ASSERT(r.start == 50 && r.end == 99);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=-10", 100, &r), STORAGE_S3_RANGE_ONE);
    CU_ASSERT(r.start == 90 && r.end == 99);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=-500", 100, &r), STORAGE_S3_RANGE_ONE);
    CU_ASSERT(r.start == 0 && r.end == 99);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=100-", 100, &r), STORAGE_S3_RANGE_UNSATISFIABLE);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=-0", 100, &r), STORAGE_S3_RANGE_UNSATISFIABLE);
    CU_ASSERT_EQUAL(storage_s3_parse_range("bytes=0-", 0, &r), STORAGE_S3_RANGE_UNSATISFIABLE);
    const char *ignored[] = {NULL,        "",          "items=0-9", "bytes=0-1,5-6",
                             "bytes=9-2", "bytes=x-1", "bytes=1-x", "bytes=-",
                             "bytes=--1", "bytes=1",   "bytes= 1-2"};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        CU_ASSERT_EQUAL(storage_s3_parse_range(ignored[i], 100, &r), STORAGE_S3_RANGE_NONE);
}

void register_storage_s3_sign_tests(void)
{
    CU_pSuite s = CU_add_suite("storage S3 signing", NULL, NULL);
    CU_add_test(s, "AWS's presigned URL example", test_aws_example);
    CU_add_test(s, "response-* parameters sorted and signed", test_extra_params_sorted_and_signed);
    CU_add_test(s, "path-style addresses, malformed endpoints", test_path_style);
    CU_add_test(s, "AWS URI encoding, key layout", test_uri_encode);
    CU_add_test(s, "settings required for STORAGE_BACKEND=s3", test_settings_complete);
    CU_add_test(s, "Range headers of streamed downloads", test_ranges);
}
