/* Unit tests of the functions area's pure parts: function and secret names,
 * the paths a deployment may hold, sealing secrets, loading the settings. */
#include "functions/bundle.h"
#include "functions/catalog.h"
#include "functions/functions_settings.h"
#include "functions/proxy.h"
#include "functions/secrets.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

void register_functions_tests(void);

static void test_function_names(void)
{
    CU_ASSERT_TRUE(functions_name_valid("hello"));
    CU_ASSERT_TRUE(functions_name_valid("send-email_2"));
    CU_ASSERT_FALSE(functions_name_valid(""));
    CU_ASSERT_FALSE(functions_name_valid("1abc"));
    CU_ASSERT_FALSE(functions_name_valid("_refresh"));
    CU_ASSERT_FALSE(functions_name_valid(".."));
    CU_ASSERT_FALSE(functions_name_valid("a/b"));
    CU_ASSERT_FALSE(functions_name_valid("a.b"));
    CU_ASSERT_FALSE(functions_name_valid("a b"));
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CU_ASSERT_FALSE(functions_name_valid(longname));
    longname[128] = '\0';
    CU_ASSERT_TRUE(functions_name_valid(longname));
}

static void test_bundle_paths(void)
{
    CU_ASSERT_TRUE(functions_bundle_path_valid("index.ts"));
    CU_ASSERT_TRUE(functions_bundle_path_valid("lib/util.ts"));
    CU_ASSERT_TRUE(functions_bundle_path_valid("a/b/c..d.ts"));
    CU_ASSERT_FALSE(functions_bundle_path_valid(""));
    CU_ASSERT_FALSE(functions_bundle_path_valid("/etc/passwd"));
    CU_ASSERT_FALSE(functions_bundle_path_valid("../x.ts"));
    CU_ASSERT_FALSE(functions_bundle_path_valid("lib/../../x.ts"));
    CU_ASSERT_FALSE(functions_bundle_path_valid("./index.ts"));
    CU_ASSERT_FALSE(functions_bundle_path_valid("lib//x.ts"));
    CU_ASSERT_FALSE(functions_bundle_path_valid("lib/"));
    CU_ASSERT_FALSE(functions_bundle_path_valid(".."));
}

static void test_secret_names(void)
{
    CU_ASSERT_TRUE(functions_secret_name_valid("STRIPE_KEY"));
    CU_ASSERT_TRUE(functions_secret_name_valid("_x1"));
    CU_ASSERT_FALSE(functions_secret_name_valid("SUPABASE_URL"));
    CU_ASSERT_FALSE(functions_secret_name_valid("supabase_anything"));
    CU_ASSERT_FALSE(functions_secret_name_valid("1KEY"));
    CU_ASSERT_FALSE(functions_secret_name_valid("A-B"));
    CU_ASSERT_FALSE(functions_secret_name_valid("A=B"));
    CU_ASSERT_FALSE(functions_secret_name_valid(""));
}

static void test_seal_open(void)
{
    const char *plain = "a secret value";
    size_t len = strlen(plain);
    unsigned char sealed[64];
    char opened[64];
    CU_ASSERT_TRUE(
        functions_secret_seal("jwt-secret-1", (const unsigned char *)plain, len, sealed));
    CU_ASSERT_PTR_NULL(memmem(sealed, len + FUNCTIONS_SECRET_OVERHEAD, plain, len));
    CU_ASSERT_TRUE(
        functions_secret_open("jwt-secret-1", sealed, len + FUNCTIONS_SECRET_OVERHEAD, opened));
    CU_ASSERT_STRING_EQUAL(opened, plain);
    CU_ASSERT_FALSE(
        functions_secret_open("another-secret", sealed, len + FUNCTIONS_SECRET_OVERHEAD, opened));
    sealed[20] ^= 1; /* tampered ciphertext */
    CU_ASSERT_FALSE(
        functions_secret_open("jwt-secret-1", sealed, len + FUNCTIONS_SECRET_OVERHEAD, opened));
    CU_ASSERT_FALSE(functions_secret_open("jwt-secret-1", sealed, 10, opened));
    unsigned char empty[FUNCTIONS_SECRET_OVERHEAD];
    CU_ASSERT_TRUE(functions_secret_seal("k", (const unsigned char *)"", 0, empty));
    CU_ASSERT_TRUE(functions_secret_open("k", empty, sizeof empty, opened));
    CU_ASSERT_STRING_EQUAL(opened, "");
}

static void test_settings_defaults_and_precedence(void)
{
    functions_settings s;
    char err[256];
    char *env[] = {"FUNCTIONS_TIMEOUT=20", NULL};
    const char *file = "FUNCTIONS_TIMEOUT=99\nFUNCTIONS_MEMORY_MB='128'\n"
                       "DENO_PATH=/nonexistent/deno\n";
    CU_ASSERT_TRUE_FATAL(
        config_section_load(&functions_config_section, &s, file, env, 0, err, sizeof err));
    CU_ASSERT_EQUAL(s.timeout_s, 20); /* the environment wins */
    CU_ASSERT_EQUAL(s.memory_mb, 128);
    CU_ASSERT_EQUAL(s.idle_timeout_s, 300);
    CU_ASSERT_EQUAL(s.limits.max_body, 6291456);
    CU_ASSERT_STRING_EQUAL(s.runtime_dir, "/var/lib/pgstack/functions");
    CU_ASSERT_PTR_NULL(functions_deno(&s)); /* not executable: no runtime, 503 */
    CU_ASSERT_STRING_EQUAL(functions_runtime_socket(&s), "/var/lib/pgstack/functions/runtime.sock");
    config_section_free(&functions_config_section, &s);

    char *bad[] = {"FUNCTIONS_MEMORY_MB=lots", NULL};
    CU_ASSERT_FALSE(
        config_section_load(&functions_config_section, &s, NULL, bad, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "FUNCTIONS_MEMORY_MB"));
    char *low[] = {"FUNCTIONS_TIMEOUT=0", NULL};
    CU_ASSERT_FALSE(
        config_section_load(&functions_config_section, &s, NULL, low, 0, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "FUNCTIONS_TIMEOUT"));

    functions_settings other;
    char *deno[] = {"DENO_PATH=/bin/true", NULL};
    CU_ASSERT_TRUE_FATAL(
        config_section_load(&functions_config_section, &other, NULL, deno, 0, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(functions_deno(&other), "/bin/true");
    config_section_free(&functions_config_section, &other);
}

/* The same name as runtime/main.ts gives it (checked against Python's
 * hashlib: sha256("hello/42/none")[:24]); tests/integration checks main.ts. */
static void test_function_socket(void)
{
    arena *a = arena_new(1024);
    functions_settings s = {.runtime_dir = "/var/lib/pgstack/functions"};
    CU_ASSERT_STRING_EQUAL(functions_proxy_socket(a, &s, "hello/42/none"),
                           "/var/lib/pgstack/functions/sock/4de1b3726aae014f7722e7ab.sock");
    arena_free(a);
}

void register_functions_tests(void)
{
    CU_pSuite suite = CU_add_suite("functions", NULL, NULL);
    CU_add_test(suite, "function names", test_function_names);
    CU_add_test(suite, "deployed file paths", test_bundle_paths);
    CU_add_test(suite, "secret names", test_secret_names);
    CU_add_test(suite, "a deployment's socket", test_function_socket);
    CU_add_test(suite, "sealing and opening secrets", test_seal_open);
    CU_add_test(suite, "settings: defaults, file, environment, bounds",
                test_settings_defaults_and_precedence);
}
