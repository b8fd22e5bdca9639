/* Recognising the canonical text form of a UUID (8-4-4-4-12 hex digits),
 * so malformed ids are refused with a 400 before reaching SQL. */
#ifndef PGSTACK_UUID_H
#define PGSTACK_UUID_H

#include <stdbool.h>

bool uuid_text_valid(const char *s);

#endif
