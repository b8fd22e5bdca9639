/* Fuzzes the storage upload's multipart/form-data reader
 * (storage_multipart_parse), which cuts the file part out of a spooled
 * body. Invariants: an accepted body yields a file part that lies inside
 * the body, and every text field it kept (cacheControl, metadata,
 * contentType, the part's Content-Type) is a NUL-terminated string;
 * a refusal names its reason. The body is copied to a buffer of exactly
 * its size so AddressSanitizer sees any read past it. Input: the
 * Content-Type header, NUL, the body. */
#include "harness.h"

#include "storage/ingest.h"

#include <stdlib.h>

static void check_text(const char *s)
{
    if (s)
        FZ_ASSERT(strlen(s) < 1u << 24, "unterminated field");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return 0;
    char *content_type = arena_strndup(a, (const char *)data, (size_t)(nul - data));
    size_t len = size - (size_t)(nul - data) - 1;
    char *body = malloc(len ? len : 1);
    memcpy(body, nul + 1, len);
    storage_form form;
    const char *why = NULL;
    if (storage_multipart_parse(a, content_type, body, len, &form, &why)) {
        FZ_ASSERT(form.part >= body && form.part + form.part_len <= body + len,
                  "file part outside the body");
        check_text(form.part_type);
        check_text(form.cache_control);
        check_text(form.metadata);
        check_text(form.content_type_field);
    } else {
        FZ_ASSERT(why && *why, "refusal without a reason");
    }
    free(body);
    return 0;
}
