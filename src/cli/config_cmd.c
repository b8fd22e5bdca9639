/* pgstack config list | get KEY: every configuration key of every part of
 * pgstack (core and each area's section), with its type, default, current
 * value (environment, then the PGSTACK_CONFIG file) and description. */
#include "api/api_settings.h"
#include "auth/auth_settings.h"
#include "cli/cli.h"
#include "core/config.h"
#include "functions/functions_settings.h"
#include "rest/rest_settings.h"
#include "storage/storage_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const config_section *const SECTIONS[] = {
    &core_config_section,    &rest_config_section,      &auth_config_section,
    &storage_config_section, &functions_config_section, &api_config_section,
};

const config_section *const *cli_config_sections(size_t *count)
{
    *count = sizeof SECTIONS / sizeof SECTIONS[0];
    return SECTIONS;
}

static const char *type_name(config_type t)
{
    switch (t) {
    case CONFIG_STRING:
        return "string";
    case CONFIG_INT:
        return "integer";
    case CONFIG_BOOL:
        return "boolean";
    case CONFIG_LIST:
        return "list";
    }
    return "?";
}

/* Secrets are shown as set or unset, never printed. */
static bool secret_key(const char *name)
{
    return strstr(name, "SECRET") || strstr(name, "PASS") || strcmp(name, "DATABASE_URL") == 0;
}

static void print_key(const config_section *s, const config_key *k)
{
    char *cur = config_value(k->name, environ);
    printf("%s\t%s\t%s\t%s\t%s\t%s\n", k->name, s->name, type_name(k->type),
           config_key_default_text(k),
           !cur                  ? ""
           : secret_key(k->name) ? "(set)"
                                 : cur,
           k->description);
    free(cur);
}

static int config_list(void)
{
    printf("PGSTACK_CONFIG\tcore\tstring\t%s\t%s\tpath of the KEY=VALUE configuration file\n",
           CONFIG_DEFAULT_PATH, getenv("PGSTACK_CONFIG") ? getenv("PGSTACK_CONFIG") : "");
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
        for (size_t j = 0; j < SECTIONS[i]->key_count; j++)
            print_key(SECTIONS[i], &SECTIONS[i]->keys[j]);
    return 0;
}

/* get KEY prints the value in effect (or the default) alone. */
static int config_get(const char *name)
{
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
        const config_key *k = config_section_find(SECTIONS[i], name);
        if (!k)
            continue;
        char *cur = config_value(name, environ);
        printf("%s\n", cur ? cur : config_key_default_text(k));
        free(cur);
        return 0;
    }
    fprintf(stderr, "pgstack config: unknown key %s\n", name);
    return 1;
}

int cli_config(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return config_list();
    if (argc == 3 && strcmp(argv[1], "get") == 0)
        return config_get(argv[2]);
    fputs("usage: pgstack config list        every key: name, area, type, default, current "
          "value, description (tab-separated)\n"
          "       pgstack config get KEY     the value in effect, or the default\n",
          stderr);
    return 2;
}
