/* Who signed in at a provider, as pgstack records it: the provider's
 * stable user id (the OpenID sub; GitHub's numeric id), the email the
 * provider gives and whether it vouches for it, and identity_data — the
 * provider's profile in GoTrue's shape (iss, sub, provider_id, email,
 * email_verified, name, full_name, avatar_url, ...), stored in
 * auth.identities and as a new user's user_metadata.
 *
 * Only a verified email may link a sign-in to an existing account, so
 * "verified" is read strictly: email_verified true (Apple sends the
 * string "true"); for Microsoft, whose email claim is not verified by
 * default, only xms_edov true (the domain owner verified it); for GitHub,
 * the primary address when /user/emails marks it verified. An email that
 * is not a plain ASCII address (email_address.h) is kept in identity_data
 * but not used as the account's email. */
#ifndef PGSTACK_AUTH_OAUTH_IDENTITY_H
#define PGSTACK_AUTH_OAUTH_IDENTITY_H

#include "core/arena.h"

#include <json-c/json.h>
#include <stdbool.h>

typedef struct oauth_identity {
    const char *provider_id;
    const char *email; /* lower case; NULL when there is no usable one */
    bool email_verified;
    json_object *data; /* identity_data, owned by the arena */
} oauth_identity;

/* From verified ID token claims. apple_user is the "user" field Apple
 * posts with the first sign-in ({"name": {"firstName", "lastName"}}) or
 * NULL; it is unsigned, so only the name is taken from it. False when the
 * claims lack a subject. */
bool auth_oauth_identity_from_claims(arena *a, const char *provider, json_object *claims,
                                     const char *apple_user, oauth_identity *out);

/* From GitHub's GET /user object and GET /user/emails array (may be NULL);
 * iss is the API URL. False when the user has no id. */
bool auth_oauth_identity_from_github(arena *a, const char *iss, json_object *user,
                                     json_object *emails, oauth_identity *out);

#endif
