/* Test helpers shared by the suites: an in-memory http_io (request body from
 * a buffer, response captured with a count of flushes), an environ-style
 * parameter builder and a config loaded from text. */
#ifndef PGSTACK_UNIT_MEMIO_H
#define PGSTACK_UNIT_MEMIO_H

#include "core/config.h"
#include "core/http_io.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct memio {
    /* input */
    const char *in;
    size_t in_len, in_pos;
    size_t max_chunk; /* largest read answered at once (0: unlimited) */
    bool read_error;  /* read returns -1 once input is exhausted */
    size_t reads;     /* calls of read */
    /* output */
    char *out;
    size_t out_len, out_cap;
    int writes;
    int flushes;
    size_t flushed_len[64]; /* out_len at each flush (first 64) */
    bool fail_write;
} memio;

/* Sets up io to read from in (may be NULL) and capture writes into m. */
void memio_init(memio *m, http_io *io, const char *in, size_t in_len);
void memio_free(memio *m);

/* The captured output as a NUL-terminated string. */
const char *memio_text(const memio *m);
/* The body part of the captured output (after the first blank line), or NULL. */
const char *memio_body(const memio *m);
/* The value of the first output header name (case-insensitive) in a
 * static buffer, or NULL when absent from the header block. */
const char *memio_header(const memio *m, const char *name);

/* Loads a config from file text and env; aborts the test run on failure. */
bool unit_config(pgstack_config *cfg, const char *file_text, char *const *env, unsigned needs);

/* Loads one area's settings (section s) from file text and env. */
bool unit_settings(const config_section *s, void *settings, const char *file_text,
                   char *const *env);

/* A secret of at least 32 characters used by the JWT suites. */
#define UNIT_SECRET "0123456789abcdef0123456789abcdef-unit-test-secret"

#endif
