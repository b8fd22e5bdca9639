/* What the email flows (sign-up confirmation, recovery, magic link, email
 * change) share, and how they keep mail and data consistent.
 *
 * A worker transaction is one pipelined round trip, so no mail can be sent
 * while one is open. Every flow therefore runs in three steps:
 *   1. a transaction that counts the request against the rate limit and
 *      reads what the decision needs (is the email registered? is the new
 *      address free?) — it writes nothing but the rate-limit counter;
 *   2. a new secret token, and the mail carrying it; a failed send ends
 *      the request with 500 "could not send email", and nothing was written;
 *   3. a transaction that writes the user and/or the token's hash.
 * If step 3 fails (a concurrent sign-up took the address, the database went
 * away), the client gets that error and the mailed link is dead, because
 * its hash was never stored. No row ever depends on a mail that did not go
 * out, and a crash between two steps leaves nothing half-made — unlike
 * "write first, delete when the mail fails", which leaves the user behind
 * when the worker dies in between. */
#ifndef PGSTACK_AUTH_EMAIL_FLOW_H
#define PGSTACK_AUTH_EMAIL_FLOW_H

#include "auth/pkce.h"
#include "core/request.h"
#include "core/response.h"
#include "db/txn.h"

#include <json-c/json.h>
#include <stdbool.h>

#define CONFIRMATION_TTL_S (24 * 3600)
#define EMAIL_CHANGE_TTL_S (24 * 3600)
#define RECOVERY_TTL_S 3600
#define MAGIC_LINK_TTL_S 3600

/* A token to mail: the secret (goes into the link) and its SHA-256 hash
 * (the only thing stored), and the 6-digit code (otp_code.h) with its
 * keyed hash for the address the mail goes to. */
typedef struct mailed_token {
    const char *secret;
    const char *hash;
    const char *code;
    const char *code_hash;
} mailed_token;

/* A token for a mail to email; false after replying 500 when no
 * randomness is available. */
bool auth_mailed_token_new(request *req, response *res, const char *email, mailed_token *out);

/* Queues, after the statement that stored the token, the code's hash and
 * the client's PKCE challenge (may be empty) on the token's row. */
void auth_email_flow_store_extras(request *req, db_txn *t, const mailed_token *token,
                                  const pkce_request *pkce);

/* The client's code_challenge and code_challenge_method of a JSON body
 * (pkce.h); false after replying 400. */
bool auth_email_flow_pkce(request *req, response *res, json_object *body, pkce_request *out);

/* The request's ?redirect_to= when it is an allowed URL (urls.h), else
 * NULL (the flow then ends at SITE_URL). */
const char *auth_email_flow_redirect(request *req);

/* Answering the same whether or not an address is known (/recover,
 * /resend): the time a send took is noted (a moving average of this
 * worker's sends, mail plus token write), and a request that sends nothing
 * waits about as long. */
long auth_email_flow_clock_us(void);
void auth_email_flow_sent(long started_us);
void auth_email_flow_pad(void);

/* The TTL as a bind parameter. */
const char *auth_email_flow_ttl(request *req, long seconds);

#endif
