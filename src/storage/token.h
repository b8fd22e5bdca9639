/* Signed URL tokens: HS256 JWTs carrying url = "<bucket>/<key>", scope
 * (download or upload), iat, exp (owner, upsert for uploads; transform for
 * image render URLs, see image_params.h), signed
 * with a key derived from JWT_SECRET (HMAC-SHA256 of a fixed label), so a
 * URL token can never be used as an API credential and an API token never
 * opens a URL. */
#ifndef PGSTACK_STORAGE_TOKEN_H
#define PGSTACK_STORAGE_TOKEN_H

#include "core/arena.h"
#include "storage/storage_settings.h"

#include <stdbool.h>
#include <time.h>

typedef struct storage_token {
    const char *url;       /* "<bucket>/<key>" */
    const char *scope;     /* "download" | "upload" */
    const char *owner;     /* upload: the signer's sub */
    bool upsert;           /* upload: may replace */
    long expires_in;       /* seconds */
    const char *transform; /* download: image transform (render URLs), or NULL */
} storage_token;

char *storage_token_sign(arena *a, const storage_settings *s, const storage_token *t, time_t now);

typedef enum {
    TOKEN_OK = 0,
    TOKEN_INVALID, /* malformed or bad signature */
    TOKEN_EXPIRED,
    TOKEN_WRONG_URL, /* valid, but for another object or scope */
} token_status;

/* Verifies text for the expected url and scope; fills *out on TOKEN_OK. */
token_status storage_token_verify(arena *a, const storage_settings *s, const char *text,
                                  const char *url, const char *scope, time_t now,
                                  storage_token *out);

#endif
