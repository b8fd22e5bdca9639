/* Judging object keys and bucket names before anything touches the
 * database or the filesystem. A key is any UTF-8 text that is not a way
 * out of its bucket: no `.`/`..` segments, no absolute path, no empty
 * segment, no backslash, no drive letter or UNC form, no NUL or other
 * control character. The raw request path is judged too, so that encoded
 * slashes, backslashes and NULs (which would change how the path splits
 * into segments once decoded) are refused. */
#ifndef PGSTACK_STORAGE_KEY_H
#define PGSTACK_STORAGE_KEY_H

#include <stdbool.h>
#include <stddef.h>

#define STORAGE_KEY_MAX 1024
#define STORAGE_BUCKET_MAX 100

/* A decoded object key; on refusal *why says what is wrong. */
bool storage_key_valid(const char *key, const char **why);

/* A bucket id or name: 1-100 characters of Supabase's set
 * (A-Za-z0-9 and " _!.*'()&$=@;:+,?-"), not "." or "..". */
bool storage_bucket_name_valid(const char *name);

/* The raw (undecoded) request path: no percent-encoded '/', '\' or NUL,
 * no raw backslash. */
bool storage_raw_path_valid(const char *raw, const char **why);

#endif
