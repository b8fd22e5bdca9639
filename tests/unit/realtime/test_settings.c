/* The realtime section: defaults, a bad value names its key, and every key
 * has its README row with its default. */
#include "realtime/realtime_settings.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void register_realtime_settings_tests(void);

static void test_defaults_and_errors(void)
{
    char *env[] = {"PGSTACK_CONFIG=/nonexistent", "REALTIME_MAX_CONNECTIONS=7", NULL};
    realtime_settings s;
    char err[256] = "";
    memset(&s, 0, sizeof(s));
    CU_ASSERT_TRUE_FATAL(
        config_section_load(&realtime_config_section, &s, NULL, env, 0, err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(s.addr, "127.0.0.1:4000");
    CU_ASSERT_EQUAL(s.max_connections, 7);
    CU_ASSERT_EQUAL(s.idle_timeout_s, 60);
    CU_ASSERT_FALSE(s.require_authenticated);
    config_section_free(&realtime_config_section, &s);
    char *bad[] = {"PGSTACK_CONFIG=/nonexistent", "REQUIRE_AUTHENTICATED_WS=maybe", NULL};
    CU_ASSERT_FALSE(
        config_section_load(&realtime_config_section, &s, NULL, bad, 0, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "REQUIRE_AUTHENTICATED_WS"));
}

static void test_readme_rows(void)
{
    FILE *f = fopen(TOP_SRCDIR "/README.md", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char text[1 << 18];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = 0;
    fclose(f);
    for (size_t i = 0; i < realtime_config_section.key_count; i++) {
        const config_key *k = &realtime_config_section.keys[i];
        char row[256];
        snprintf(row, sizeof(row), "| `%s` | `%s` |", k->name, config_key_default_text(k));
        if (!strstr(text, row))
            fprintf(stderr, "README.md lacks the row: %s ...\n", row);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, row));
    }
}

void register_realtime_settings_tests(void)
{
    CU_pSuite s = CU_add_suite("realtime settings", NULL, NULL);
    CU_add_test(s, "defaults and a bad value", test_defaults_and_errors);
    CU_add_test(s, "every key is in the README", test_readme_rows);
}
