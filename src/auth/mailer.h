/* Sending the auth emails from a request: the link to this server's
 * verify endpoint (see urls.h), the text (auth_mail_template.h), the message
 * from SMTP_FROM (mail_message.h) and its delivery (mail_transport.h).
 * A failure is logged with its reason only — never the token or the link —
 * and answered 500 "could not send email". */
#ifndef PGSTACK_AUTH_MAILER_H
#define PGSTACK_AUTH_MAILER_H

#include "auth/email_flow.h"
#include "auth/mail_template.h"
#include "core/request.h"
#include "core/response.h"

#include <stdbool.h>

/* Mails token (its link and its 6-digit code) to `to` in the mail of
 * kind; redirect_to (an allowed URL or NULL) rides along in the link.
 * False after replying 500. */
bool auth_mail_send(request *req, response *res, mail_kind kind, const char *to,
                    const mailed_token *token, const char *redirect_to);

#endif
