/* A deployed folder as stored: {"relative/path": "<base64url bytes>"}.
 * Paths are checked (relative, no "." or ".." segment, no empty segment,
 * no NUL, at most 1024 bytes) both when deploying and when writing a
 * deployment out for the runtime. */
#ifndef PGSTACK_FUNCTIONS_BUNDLE_H
#define PGSTACK_FUNCTIONS_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

bool functions_bundle_path_valid(const char *path);

/* Writes the deployment under <root>/fn/<name>/<version>/ unless it is
 * there already (written to a temporary folder, then renamed, so the
 * runtime never sees half a folder). false with a message in err. */
bool functions_bundle_write(const char *root, const char *name, const char *version,
                            const char *files_json, char *err, size_t errlen);

#endif
