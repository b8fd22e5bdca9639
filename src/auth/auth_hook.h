/* The custom access-token hook (AUTH_HOOK_CUSTOM_ACCESS_TOKEN), GoTrue's
 * way to add claims (roles, tenant) for RLS: a PostgreSQL function
 * (event jsonb) returns jsonb, named "schema.function" or in GoTrue's form
 * "pg-functions://postgres/schema/function". The auth worker hands the name
 * to every transaction (the GUC pgstack.auth_hook), and auth.access_claims
 * calls it whenever it makes an access token's claims — in the transaction
 * that writes the session or rotates the refresh token, so a hook that
 * raises leaves nothing written (sql/0010_auth_pkce_otp.sql). Names are
 * plain lower-case identifiers, so they never need quoting. */
#ifndef PGSTACK_AUTH_HOOK_H
#define PGSTACK_AUTH_HOOK_H

#include <stdbool.h>
#include <stddef.h>

/* The setting as "schema.function" into out; false when it is neither
 * form (why says what is wrong). */
bool auth_hook_name(const char *setting, char *out, size_t outlen, char *why, size_t whylen);

/* config_key check for AUTH_HOOK_CUSTOM_ACCESS_TOKEN. */
bool auth_hook_check(const char *value, char *why, size_t whylen);

#endif
