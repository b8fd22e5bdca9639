/* Fuzzes the config file parser (core/config: KEY=VALUE lines, comments,
 * quoting, every key's type and range checks) with the environment of a
 * worker. Invariants: a refusal has a one-line message inside the error
 * buffer; a loaded config has its required keys. */
#include "harness.h"

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text;
    fz_begin();
    fz_fields(data, size, &text, 1);
    char *env[] = {NULL};
    char err[256];
    memset(err, 'X', sizeof err);
    pgstack_config cfg;
    if (config_load_text(&cfg, text, env, CONFIG_NEED_DATABASE | CONFIG_NEED_JWT, err,
                         sizeof err - 16)) {
        FZ_ASSERT(cfg.database_url && cfg.database_url[0], "loaded without DATABASE_URL");
    } else {
        size_t n = strnlen(err, sizeof err);
        FZ_ASSERT(n > 0 && n < sizeof err - 16, "error message not terminated in its buffer");
        FZ_ASSERT(!strchr(err, '\n'), "error message of several lines: %s", err);
    }
    config_free(&cfg);
    return 0;
}
