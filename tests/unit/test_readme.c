/* Keeps the README true: every configuration key the programs read must
 * appear in README.md's configuration table with its default. */
#include "unit.h"

#include "cli/cli.h"
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
    CU_ASSERT_PTR_NOT_NULL(strstr(readme, "| `PGSTACK_CONFIG` | `" CONFIG_DEFAULT_PATH "` |"));
    size_t count;
    const config_section *const *sections = cli_config_sections(&count);
    for (size_t s = 0; s < count; s++)
        for (size_t i = 0; i < sections[s]->key_count; i++) {
            const config_key *k = &sections[s]->keys[i];
            char row[256];
            snprintf(row, sizeof row, "| `%s` | `%s` |", k->name, config_key_default_text(k));
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
