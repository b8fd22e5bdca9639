/* The auth area's mail sending; see mailer.h. */
#include "auth/auth_settings.h"
#include "auth/mailer.h"

#include "auth/mail_message.h"
#include "auth/mail_transport.h"
#include "auth/reply.h"
#include "auth/urls.h"
#include "core/log.h"
#include "worker/app.h"

static char *link_for(request *req, mail_kind kind, const char *token, const char *redirect_to)
{
    const char *base = auth_link_base(auth_settings_of(req));
    switch (kind) {
    case MAIL_CONFIRMATION:
        return auth_email_link(req->arena, base, "/verify", token, "signup", redirect_to);
    case MAIL_MAGIC_LINK:
        return auth_email_link(req->arena, base, "/magiclink/verify", token, NULL, redirect_to);
    case MAIL_RECOVERY:
        return auth_email_link(req->arena, base, "/verify", token, "recovery", redirect_to);
    case MAIL_EMAIL_CHANGE:
    case MAIL_EMAIL_CHANGE_CURRENT:
        return auth_email_link(req->arena, base, "/verify", token, "email_change", redirect_to);
    case MAIL_INVITE:
        return auth_email_link(req->arena, base, "/verify", token, "invite", redirect_to);
    case MAIL_REAUTHENTICATION:
        return NULL;
    }
    return NULL;
}

static bool send_failed(response *res, const char *why)
{
    char clean[512];
    size_t i = 0;
    for (; why[i] && i + 1 < sizeof clean; i++)
        clean[i] = (unsigned char)why[i] < 0x20 || why[i] == 0x7f ? ' ' : why[i];
    clean[i] = '\0';
    log_event("could not send email: %s", clean);
    auth_error(res, 500, "email_send_failed", "could not send email");
    return false;
}

bool auth_mail_send(request *req, response *res, mail_kind kind, const char *to,
                    const mailed_token *token, const char *redirect_to)
{
    const auth_settings *cfg = auth_settings_of(req);
    mail_text text = auth_mail_template(req->arena, kind, cfg->site_url,
                                        link_for(req, kind, token->secret, redirect_to),
                                        token->secret, token->code);
    mail_message m = {.from = cfg->smtp_from, .to = to, .subject = text.subject, .body = text.body};
    const char *why = NULL, *name, *from_address;
    char *message = auth_mail_message_render(req->arena, &m, &why);
    if (!message)
        return send_failed(res, why);
    auth_mail_from_parse(req->arena, cfg->smtp_from, &name, &from_address);
    char reason[512];
    if (!auth_mail_transport_send(cfg, from_address, to, message, reason, sizeof reason))
        return send_failed(res, reason);
    return true;
}
