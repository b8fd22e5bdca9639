/* Object keys, bucket names and raw request paths: every traversal
 * spelling is refused, any other UTF-8 key is accepted. */
#include "storage_suites.h"

#include "storage/key.h"

#include <CUnit/CUnit.h>
#include <string.h>

static void test_keys_accepted(void)
{
    const char *ok[] = {"a",    "a/b/c.txt",  "été/résumé ✓.txt", "with space/and (parens) #&+.png",
                        "...",  "a..b/c",     ".hidden",          "a/.b",
                        "xy:z", "12:30/notes"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *why = NULL;
        CU_ASSERT_TRUE(storage_key_valid(ok[i], &why));
    }
}

static void test_keys_refused(void)
{
    const char *bad[] = {"",
                         "..",
                         ".",
                         "../x",
                         "a/../b",
                         "a/./b",
                         "a/..",
                         "/etc/passwd",
                         "//unc/share",
                         "a//b",
                         "a/b/",
                         "C:/x",
                         "c:x",
                         "x:y",
                         "a\\b",
                         "\\\\server\\share",
                         "a\x01"
                         "b",
                         "a\x7f",
                         "\xff\xfe",
                         "a/\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        CU_ASSERT_FALSE(storage_key_valid(bad[i], &why));
        CU_ASSERT_PTR_NOT_NULL(why);
    }
    char long_key[STORAGE_KEY_MAX + 2];
    memset(long_key, 'a', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    CU_ASSERT_FALSE(storage_key_valid(long_key, NULL));
    CU_ASSERT_FALSE(storage_key_valid(NULL, NULL));
}

static void test_bucket_names(void)
{
    CU_ASSERT_TRUE(storage_bucket_name_valid("avatars"));
    CU_ASSERT_TRUE(storage_bucket_name_valid("My Bucket_1!.*'()&$=@;:+,?-"));
    CU_ASSERT_FALSE(storage_bucket_name_valid(""));
    CU_ASSERT_FALSE(storage_bucket_name_valid("."));
    CU_ASSERT_FALSE(storage_bucket_name_valid(".."));
    CU_ASSERT_FALSE(storage_bucket_name_valid("a/b"));
    CU_ASSERT_FALSE(storage_bucket_name_valid("a\\b"));
    CU_ASSERT_FALSE(storage_bucket_name_valid("été"));
    char name[STORAGE_BUCKET_MAX + 2];
    memset(name, 'b', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    CU_ASSERT_FALSE(storage_bucket_name_valid(name));
    name[STORAGE_BUCKET_MAX] = '\0';
    CU_ASSERT_TRUE(storage_bucket_name_valid(name));
}

static void test_raw_paths(void)
{
    const char *why = NULL;
    CU_ASSERT_TRUE(storage_raw_path_valid("/storage/v1/object/b/a%20b/%C3%A9.txt", &why));
    CU_ASSERT_TRUE(
        storage_raw_path_valid("/storage/v1/object/b/%2e%2e/x", &why)); /* judged decoded */
    CU_ASSERT_FALSE(storage_raw_path_valid("/storage/v1/object/b/a%2fb", &why));
    CU_ASSERT_FALSE(storage_raw_path_valid("/storage/v1/object/b/a%2Fb", &why));
    CU_ASSERT_FALSE(storage_raw_path_valid("/storage/v1/object/b/a%5Cb", &why));
    CU_ASSERT_FALSE(storage_raw_path_valid("/storage/v1/object/b/a%00b", &why));
    CU_ASSERT_FALSE(storage_raw_path_valid("/storage/v1/object/b/a\\b", &why));
    CU_ASSERT_TRUE(storage_raw_path_valid("/storage/v1/object/b/a%2", &why));
}

void register_storage_key_tests(void)
{
    CU_pSuite s = CU_add_suite("storage keys", NULL, NULL);
    CU_add_test(s, "keys accepted", test_keys_accepted);
    CU_add_test(s, "keys refused", test_keys_refused);
    CU_add_test(s, "bucket names", test_bucket_names);
    CU_add_test(s, "raw paths", test_raw_paths);
}
