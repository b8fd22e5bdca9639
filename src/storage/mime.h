/* MIME types judged from the content: libmagic sniffs the stored bytes,
 * and the bucket's allowlist and the declared type are checked against
 * what it found, never against the client's header alone. Types a browser
 * would run as a page (HTML, SVG, XHTML) are served as attachments. */
#ifndef PGSTACK_STORAGE_MIME_H
#define PGSTACK_STORAGE_MIME_H

#include "core/arena.h"

#include <stdbool.h>

/* The sniffed type of the open file fd ("application/octet-stream" when
 * libmagic cannot tell). */
const char *storage_mime_sniff(arena *a, int fd);

/* The bare "type/subtype" of a Content-Type value, lower case; NULL or ""
 * gives NULL. */
const char *storage_mime_base(arena *a, const char *content_type);

/* Does a declared type agree with the sniffed one? (An ELF or a script
 * declared image/png does not; text declared as another text type does.) */
bool storage_mime_compatible(const char *declared, const char *sniffed);

/* Is type in the allowlist (entries like "image/png", or a whole family as "image/" followed by a
 * star)? */
bool storage_mime_listed(const char *type, const char *const *allowed, int count);

/* A program the system runs (ELF, PE, Mach-O, ...)? */
bool storage_mime_executable(const char *type);

/* Would a browser execute it as a page or script? */
bool storage_mime_active(const char *type);

#endif
