/* Upload-Metadata of TUS 1.0.0: base64 values (padded or not), empty
 * values, unknown keys ignored, malformed headers refused. */
#include "storage_suites.h"

#include "core/arena.h"
#include "storage/tus.h"

#include <CUnit/CUnit.h>

static void test_parse(void)
{
    arena *a = arena_new(4096);
    storage_tus_meta m;
    const char *why = NULL;
    /* bucketName=avatars objectName=u1/é.png contentType=image/png cacheControl=3600 */
    CU_ASSERT_TRUE_FATAL(storage_tus_meta_parse(a,
                                                "bucketName YXZhdGFycw==,objectName dTEvw6kucG5n,"
                                                "contentType aW1hZ2UvcG5n, cacheControl MzYwMA,"
                                                "other eA==,empty",
                                                &m, &why));
    CU_ASSERT_STRING_EQUAL(m.bucket, "avatars");
    CU_ASSERT_STRING_EQUAL(m.object, "u1/\xc3\xa9.png");
    CU_ASSERT_STRING_EQUAL(m.content_type, "image/png");
    CU_ASSERT_STRING_EQUAL(m.cache_control, "3600");
    CU_ASSERT_PTR_NULL(m.metadata);
    arena_free(a);
}

static void test_refused(void)
{
    arena *a = arena_new(4096);
    storage_tus_meta m;
    const char *why = NULL;
    CU_ASSERT_FALSE(storage_tus_meta_parse(a, NULL, &m, &why));
    CU_ASSERT_STRING_EQUAL(why, "Metadata header is required");
    CU_ASSERT_FALSE(storage_tus_meta_parse(a, "", &m, &why));
    CU_ASSERT_FALSE(storage_tus_meta_parse(a, "bucketName YXZhdGFycw==", &m, &why));
    CU_ASSERT_FALSE(storage_tus_meta_parse(a, "bucketName !!!!,objectName eA==", &m, &why));
    CU_ASSERT_FALSE(storage_tus_meta_parse(a, "bucketName AA==,objectName eA==", &m, &why));
    arena_free(a);
}

void register_storage_tus_meta_tests(void)
{
    CU_pSuite s = CU_add_suite("storage TUS metadata", NULL, NULL);
    CU_add_test(s, "pairs decoded", test_parse);
    CU_add_test(s, "malformed headers refused", test_refused);
}
