/* Replies of the auth area. Errors carry, besides the spec's "error", the
 * fields supabase-js reads from GoTrue: "msg", "code" (the HTTP status) and
 * "error_code" (a machine code such as "invalid_credentials"). A session is
 * rendered as GoTrue does: access_token, token_type, expires_in, expires_at,
 * refresh_token and the user object — as JSON, or for links opened in a
 * browser as a redirect with the tokens in the URL fragment. */
#ifndef PGSTACK_AUTH_REPLY_H
#define PGSTACK_AUTH_REPLY_H

#include "core/request.h"
#include "core/response.h"
#include "db/txn.h"

void auth_error(response *res, int status, const char *error_code, const char *message);

/* 400 with the spec's exact error "invalid request body"; what is wrong
 * goes into "detail" (and GoTrue's "msg": "invalid request body: detail"). */
void auth_error_body(response *res, const char *error_code, const char *detail);

/* 400 weak_password for a password that breaks a rule (the message says
 * which), with GoTrue's "weak_password": {"reasons": ["length"]}, which
 * supabase-js hands to the application as AuthWeakPasswordError.reasons. */
void auth_error_weak_password(response *res, const char *message);

/* Does the request come from a Supabase client library (supabase-js /
 * auth-js, and the others, which all send X-Client-Info)? Where the spec's
 * shape of a reply is not what those libraries parse, they get GoTrue's
 * shape instead; every other client gets the spec's. */
bool auth_client_is_supabase(request *req);

/* For a failed auth transaction: 429 (rate limit, with Retry-After), 409
 * (duplicate email), 503 (database unavailable), 500 for the custom
 * access-token hook (SQLSTATE PSHOK), else the status of the SQLSTATE. */
void auth_reply_db_failure(response *res, db_txn *t, db_status st);

/* Signs the claims and replies with the session. */
void auth_reply_session(request *req, response *res, int status, const char *user_json,
                        const char *claims_json, const char *expires_at, const char *refresh_token);

/* The same with extra_fields (NULL, or rendered members such as
 * ,"provider_token":"..." appended to the session object). */
void auth_reply_session_extra(request *req, response *res, int status, const char *user_json,
                              const char *claims_json, const char *expires_at,
                              const char *refresh_token, const char *extra_fields);

/* The end of a flow in the PKCE flow: 302 to url with ?code=<auth code>
 * (&code= when url has a query), as GoTrue does. */
void auth_reply_code_redirect(request *req, response *res, const char *url, const char *code);

/* The same session for a browser, as GoTrue's verify does: 302 to url with
 * access_token, expires_at, expires_in, refresh_token, token_type and type
 * in the fragment (never in the query, so it stays out of server logs). */
void auth_reply_session_redirect(request *req, response *res, const char *url, const char *type,
                                 const char *claims_json, const char *expires_at,
                                 const char *refresh_token);

/* The session of an OAuth sign-in, as GoTrue's callback sends it: the
 * same fragment without type, with provider_token (the provider's access
 * token, for the application's calls to the provider's API) and, when the
 * provider gave one, provider_refresh_token. */
void auth_reply_provider_session_redirect(request *req, response *res, const char *url,
                                          const char *claims_json, const char *expires_at,
                                          const char *refresh_token, const char *provider_token,
                                          const char *provider_refresh_token);

/* 302 to url with GoTrue's error fragment: error=access_denied,
 * error_code and error_description. */
void auth_reply_error_redirect(request *req, response *res, const char *url, const char *error_code,
                               const char *description);

/* The same with another error (server_error, invalid_request, or what
 * the provider reported). */
void auth_reply_error_redirect_as(request *req, response *res, const char *url, const char *error,
                                  const char *error_code, const char *description);

/* The error redirect of a flow the client started in the PKCE flow, as
 * GoTrue sends it: url without its query, then the same error, error_code
 * and error_description in the query (where a server-side callback route
 * reads them) and in the fragment. */
void auth_reply_error_redirect_pkce(request *req, response *res, const char *url, const char *error,
                                    const char *error_code, const char *description);

/* 302 to url with GoTrue's #message=... (and, in the PKCE flow, the same
 * message in the query): a step that succeeded without a session, such as
 * the first half of a secure email change. */
void auth_reply_message_redirect(request *req, response *res, const char *url, const char *message,
                                 bool pkce);

/* A plain 302 to location, not cached, sending no Referer onwards. */
void auth_reply_redirect(response *res, const char *location);

#endif
