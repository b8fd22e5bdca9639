/* Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
#ifndef PGSTACK_UTF8_H
#define PGSTACK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);

/* Makes s valid UTF-8 in place: every byte that starts no valid sequence
 * (a stray byte, a sequence cut short) becomes '?'. For messages that
 * quote client input after truncating it. */
void utf8_scrub(char *s);

#endif
