/* Fuzzes the config file parser (core/config: KEY=VALUE lines, comments,
 * quoting, every key's type, range and check functions) with the core keys
 * and one area's section, as a worker loads them. Input: byte 0 picks the
 * area, the rest is the file. Invariants: a refusal has a one-line message
 * inside the error buffer; a loaded config has the required keys; freeing
 * is clean either way (the sanitizers see leaks and double frees). */
#include "harness.h"

#include "api/api_settings.h"
#include "auth/auth_settings.h"
#include "core/config.h"
#include "functions/functions_settings.h"
#include "rest/rest_settings.h"
#include "storage/storage_settings.h"

#include <stdlib.h>

static const config_section *const AREAS[] = {
    NULL,
    &rest_config_section,
    &auth_config_section,
    &api_config_section,
    &storage_config_section,
    &functions_config_section,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_begin();
    if (size < 1)
        return 0;
    const char *text;
    fz_fields(data + 1, size - 1, &text, 1);
    const config_section *area = AREAS[data[0] % 6];
    void *settings = area ? calloc(1, area->size) : NULL;
    char *env[] = {NULL};
    char err[256];
    memset(err, 'X', sizeof err);
    pgstack_config cfg;
    if (config_load_text(&cfg, area, settings, text, env, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT,
                         err, sizeof err - 16)) {
        FZ_ASSERT(cfg.database_url && cfg.database_url[0], "loaded without DATABASE_URL");
        FZ_ASSERT(cfg.jwt_secret && cfg.jwt_secret[0], "loaded without JWT_SECRET");
        config_free(&cfg, area, settings);
    } else {
        size_t n = strnlen(err, sizeof err);
        FZ_ASSERT(n > 0 && n < sizeof err - 16, "error message not terminated in its buffer");
        FZ_ASSERT(!strchr(err, '\n'), "error message of several lines: %s", err);
        config_free(&cfg, area, settings); /* harmless after a failed load */
    }
    free(settings);
    return 0;
}
