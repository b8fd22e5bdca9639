/* Keeps the README true: every configuration key the programs read must
 * appear in README.md's configuration table with its default. */
#include "unit.h"

#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_readme(void)
{
    FILE *f = fopen(TOP_SRCDIR "/README.md", "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0)
        if ((len += n) == cap - 1)
            buf = realloc(buf, cap *= 2);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void test_every_key_documented(void)
{
    char *readme = read_readme();
    CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
    size_t count;
    const config_key_info *keys = config_keys(&count);
    for (size_t i = 0; i < count; i++) {
        char row[256];
        snprintf(row, sizeof row, "| `%s` | `%s` |", keys[i].name, keys[i].default_value);
        if (!strstr(readme, row))
            fprintf(stderr, "README.md lacks the row: %s ...\n", row);
        CU_ASSERT_PTR_NOT_NULL(strstr(readme, row));
    }
    free(readme);
}

void register_readme_tests(void)
{
    CU_pSuite s = CU_add_suite("readme", NULL, NULL);
    CU_add_test(s, "every configuration key is documented with its default",
                test_every_key_documented);
}
