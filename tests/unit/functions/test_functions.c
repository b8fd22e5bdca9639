/* Unit tests of the functions area's pure parts: function and secret names,
 * the paths a deployment may hold, sealing secrets, loading the settings. */
#include "functions/bundle.h"
#include "functions/catalog.h"
#include "functions/functions_settings.h"
#include "functions/secrets.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdio.h>
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

static void free_settings(functions_settings *s)
{
    free(s->deno_path);
    free(s->runtime_dir);
    free(s->bootstrap_dir);
    free(s->supabase_url);
    free(s->db_url);
    free(s->anon_key);
    free(s->service_key);
    free(s->jwt_secret);
    free(s->deno);
}

static void test_settings_defaults_and_precedence(void)
{
    functions_settings s;
    char err[256];
    char *env[] = {"FUNCTIONS_TIMEOUT=20", "PATH=/nonexistent", NULL};
    const char *file = "FUNCTIONS_TIMEOUT=99\nFUNCTIONS_MEMORY_MB='128'\n"
                       "API_EXTERNAL_URL=http://api.example\nDENO_PATH=/nonexistent/deno\n";
    CU_ASSERT_TRUE_FATAL(functions_settings_load(&s, env, file, err, sizeof err));
    CU_ASSERT_EQUAL(s.timeout_s, 20); /* the environment wins */
    CU_ASSERT_EQUAL(s.memory_mb, 128);
    CU_ASSERT_EQUAL(s.idle_timeout_s, 300);
    CU_ASSERT_STRING_EQUAL(s.runtime_dir, "/var/lib/pgstack/functions");
    CU_ASSERT_STRING_EQUAL(s.supabase_url, "http://api.example");
    CU_ASSERT_PTR_NULL(s.deno); /* not executable: no runtime, 503 */
    free_settings(&s);

    char *bad[] = {"FUNCTIONS_MEMORY_MB=lots", NULL};
    CU_ASSERT_FALSE(functions_settings_load(&s, bad, NULL, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "FUNCTIONS_MEMORY_MB"));
    free_settings(&s);
    char *low[] = {"FUNCTIONS_TIMEOUT=0", NULL};
    CU_ASSERT_FALSE(functions_settings_load(&s, low, NULL, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "FUNCTIONS_TIMEOUT"));
    free_settings(&s);

    char *deno[] = {"DENO_PATH=/bin/true", NULL};
    CU_ASSERT_TRUE_FATAL(functions_settings_load(&s, deno, NULL, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(s.deno, "/bin/true");
    free_settings(&s);
}

/* Every key of the area is in README.md's configuration table with its
 * default (FUNCTIONS_BOOTSTRAP_DIR's depends on the install prefix). */
static void test_keys_documented(void)
{
    FILE *f = fopen(TOP_SRCDIR "/README.md", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char readme[1 << 20];
    size_t n = fread(readme, 1, sizeof readme - 1, f);
    readme[n] = '\0';
    fclose(f);
    size_t count;
    const functions_setting_key *keys = functions_setting_keys(&count);
    for (size_t i = 0; i < count; i++) {
        if (!keys[i].description)
            continue; /* read from the shared configuration, documented there */
        char row[256];
        bool prefix_dependent = strcmp(keys[i].name, "FUNCTIONS_BOOTSTRAP_DIR") == 0;
        snprintf(row, sizeof row, "| `%s` | `%s` |", keys[i].name,
                 prefix_dependent ? "$(pkgdatadir)/functions" : keys[i].default_value);
        if (!strstr(readme, row))
            fprintf(stderr, "README.md lacks the row: %s ...\n", row);
        CU_ASSERT_PTR_NOT_NULL(strstr(readme, row));
    }
}

void register_functions_tests(void)
{
    CU_pSuite suite = CU_add_suite("functions", NULL, NULL);
    CU_add_test(suite, "function names", test_function_names);
    CU_add_test(suite, "deployed file paths", test_bundle_paths);
    CU_add_test(suite, "secret names", test_secret_names);
    CU_add_test(suite, "sealing and opening secrets", test_seal_open);
    CU_add_test(suite, "settings: defaults, file, environment, bounds",
                test_settings_defaults_and_precedence);
    CU_add_test(suite, "every setting is documented in README.md", test_keys_documented);
}
