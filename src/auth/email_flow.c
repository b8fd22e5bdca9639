/* Shared pieces of the email flows; see email_flow.h. */
#include "auth/auth_settings.h"
#include "auth/email_flow.h"

#include "auth/body.h"
#include "auth/otp_code.h"
#include "auth/reply.h"
#include "auth/secret_token.h"
#include "auth/urls.h"
#include "worker/app.h"

#include <errno.h>
#include <time.h>

#define MAX_PAD_US 5000000L

/* What a send took lately in this worker (microseconds). */
static long send_cost_us = 20000;

long auth_email_flow_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

void auth_email_flow_sent(long started_us)
{
    send_cost_us = (3 * send_cost_us + (auth_email_flow_clock_us() - started_us)) / 4;
}

void auth_email_flow_pad(void)
{
    long us = send_cost_us < MAX_PAD_US ? send_cost_us : MAX_PAD_US;
    struct timespec ts = {us / 1000000L, (us % 1000000L) * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

#define EXTRAS_SQL "select auth.one_time_token_extras($1, $2, $3, $4)"

bool auth_mailed_token_new(request *req, response *res, const char *email, mailed_token *out)
{
    char *secret = auth_secret_token_new(req->arena);
    char *code = auth_otp_code_new(req->arena);
    char *code_hash =
        code ? auth_otp_code_hash(req->arena, req->app->cfg.jwt_secret, email, code) : NULL;
    if (!secret || !code_hash) {
        auth_error(res, 500, "unexpected_failure", "no randomness for a token");
        return false;
    }
    out->secret = secret;
    out->hash = auth_secret_token_hash(req->arena, secret);
    out->code = code;
    out->code_hash = code_hash;
    return true;
}

void auth_email_flow_store_extras(request *req, db_txn *t, const mailed_token *token,
                                  const pkce_request *pkce)
{
    const char **v = arena_alloc(req->arena, 4 * sizeof(char *));
    v[0] = token->hash;
    v[1] = pkce ? pkce->challenge : NULL;
    v[2] = pkce ? pkce->method : NULL;
    v[3] = token->code_hash;
    db_txn_add(t, EXTRAS_SQL, 4, v);
}

bool auth_email_flow_pkce(request *req, response *res, json_object *body, pkce_request *out)
{
    const char *challenge = NULL, *method = NULL;
    return auth_body_string(body, "code_challenge", &challenge, res) &&
           auth_body_string(body, "code_challenge_method", &method, res) &&
           auth_pkce_request_check(req->arena, challenge, method, out, res);
}

const char *auth_email_flow_redirect(request *req)
{
    const auth_settings *cfg = auth_settings_of(req);
    const char *requested = query_get(&req->query, "redirect_to");
    if (requested &&
        auth_redirect_url_allowed(requested, cfg->site_url, &cfg->additional_redirect_urls))
        return requested;
    return NULL;
}

const char *auth_email_flow_ttl(request *req, long seconds)
{
    return arena_printf(req->arena, "%ld", seconds);
}
