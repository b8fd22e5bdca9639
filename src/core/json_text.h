/* Small json-c helpers shared by every area: rendering without escaped
 * slashes, and strict parsing of a whole buffer. */
#ifndef PGSTACK_JSON_TEXT_H
#define PGSTACK_JSON_TEXT_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stddef.h>

#define JSON_TEXT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Compact text of obj, copied into the arena. */
const char *json_text(arena *a, json_object *obj);

/* Parses exactly n bytes of strict UTF-8 as one JSON value (trailing
 * garbage is an error); NULL on failure. The caller owns the result (json_object_put). */
json_object *json_parse_exact(const char *s, size_t n);

/* The text of a JSON string without NUL bytes ("\u0000" would cut it short
 * as a C string), or NULL for anything else. */
const char *json_plain_string(json_object *obj);

/* Puts obj when the arena is released. Returns obj. */
json_object *json_arena_owned(arena *a, json_object *obj);

#endif
