/* The URLs of the email flows: the links put in emails, and where the
 * browser may be sent afterwards.
 *
 * Links lead to this server's verify endpoints under API_EXTERNAL_URL
 * (default SITE_URL, for the usual layout where one web server serves the
 * app and /auth/v1). They are never built from the request's Host header:
 * a forged Host would put an attacker's server in a reset link.
 *
 * redirect_to is honoured only when it matches SITE_URL or an entry of
 * ADDITIONAL_REDIRECT_URLS: same scheme, host (case-insensitive, exact) and
 * effective port, and the entry's path as a whole-segment prefix of the
 * candidate's ("/app" allows "/app" and "/app/x", not "/apple"). An entry
 * may name an app's own scheme ("io.supabase.app://login-callback/", as
 * mobile apps register); javascript:, data:, vbscript:, file: and blob: are
 * refused whatever the list says. Candidates
 * with user info, backslashes, fragments, control or non-ASCII characters,
 * dot segments or encoded dots/slashes are refused outright. */
#ifndef PGSTACK_AUTH_URLS_H
#define PGSTACK_AUTH_URLS_H

#include "auth/auth_settings.h"
#include "core/arena.h"
#include "core/config.h"

#include <stdbool.h>

#define REDIRECT_URL_MAX 2048

/* {base}/auth/v1{path}?token=...[&type=...][&redirect_to=...]; base's
 * trailing slashes are dropped; type and redirect_to may be NULL. */
char *auth_email_link(arena *a, const char *base, const char *path, const char *token,
                      const char *type, const char *redirect_to);

/* Where email links lead: API_EXTERNAL_URL, else SITE_URL. */
const char *auth_link_base(const auth_settings *cfg);

/* Does url match one of the allowed URLs (site_url, then additional)? */
bool auth_redirect_url_allowed(const char *url, const char *site_url, const str_list *additional);

/* The first of requested and stored that is allowed, else SITE_URL. */
const char *auth_redirect_choose(const auth_settings *cfg, const char *requested,
                                 const char *stored);

#endif
