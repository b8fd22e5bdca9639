/* multipart/form-data as storage-js and browsers send it: the file part
 * (field "" or a filename), text fields, quoted boundaries, and malformed
 * bodies refused. */
#include "storage_suites.h"

#include "core/arena.h"
#include "storage/ingest.h"

#include <CUnit/CUnit.h>
#include <string.h>

static const char FORM[] = "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"cacheControl\"\r\n\r\n"
                           "3600\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"metadata\"\r\n\r\n"
                           "{\"a\":1}\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"\"; filename=\"blob\"\r\n"
                           "Content-Type: image/png\r\n\r\n"
                           "\x89PNG\r\n--Xy not a boundary\r\n"
                           "--XyZ--\r\n";

static void test_storage_js_form(void)
{
    arena *a = arena_new(4096);
    storage_form f;
    const char *why = NULL;
    CU_ASSERT_TRUE_FATAL(storage_multipart_parse(a, "multipart/form-data; boundary=XyZ", FORM,
                                                 sizeof FORM - 1, &f, &why));
    const char want[] = "\x89PNG\r\n--Xy not a boundary";
    CU_ASSERT_EQUAL(f.part_len, sizeof want - 1);
    CU_ASSERT_EQUAL(memcmp(f.part, want, sizeof want - 1), 0);
    CU_ASSERT_STRING_EQUAL(f.part_type, "image/png");
    CU_ASSERT_STRING_EQUAL(f.cache_control, "3600");
    CU_ASSERT_STRING_EQUAL(f.metadata, "{\"a\":1}");
    CU_ASSERT_TRUE(storage_multipart_parse(a, "multipart/form-data; boundary=\"XyZ\"", FORM,
                                           sizeof FORM - 1, &f, &why));
    arena_free(a);
}

static void test_refused(void)
{
    arena *a = arena_new(4096);
    storage_form f;
    const char *why = NULL;
    const char *type = "multipart/form-data; boundary=XyZ";
    CU_ASSERT_FALSE(
        storage_multipart_parse(a, "multipart/form-data", FORM, sizeof FORM - 1, &f, &why));
    const char no_end[] = "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nabc";
    CU_ASSERT_FALSE(storage_multipart_parse(a, type, no_end, sizeof no_end - 1, &f, &why));
    const char no_headers[] = "--XyZ\r\nContent-Disposition: form-data; name=\"\"";
    CU_ASSERT_FALSE(storage_multipart_parse(a, type, no_headers, sizeof no_headers - 1, &f, &why));
    const char no_file[] = "--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
                           "--XyZ--\r\n";
    CU_ASSERT_FALSE(storage_multipart_parse(a, type, no_file, sizeof no_file - 1, &f, &why));
    CU_ASSERT_FALSE(storage_multipart_parse(a, type, "garbage", 7, &f, &why));
    CU_ASSERT_PTR_NOT_NULL(why);
    arena_free(a);
}

void register_storage_multipart_tests(void)
{
    CU_pSuite s = CU_add_suite("storage multipart", NULL, NULL);
    CU_add_test(s, "storage-js form", test_storage_js_form);
    CU_add_test(s, "malformed bodies refused", test_refused);
}
