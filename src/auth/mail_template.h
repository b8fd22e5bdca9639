/* The plain-text emails of the auth area: confirmation of a new account,
 * magic link, password recovery, invitations and the confirmations of an
 * email change (the new address; in a secure change the current one). Only
 * operator-controlled text (SITE_URL) and the link go into them; nothing
 * a stranger typed (metadata, names) is ever mailed to someone else. */
#ifndef PGSTACK_MAIL_TEMPLATE_H
#define PGSTACK_MAIL_TEMPLATE_H

#include "core/arena.h"

typedef enum {
    MAIL_CONFIRMATION,
    MAIL_MAGIC_LINK,
    MAIL_RECOVERY,
    MAIL_EMAIL_CHANGE,
    MAIL_REAUTHENTICATION, /* a code only, no link */
    MAIL_INVITE,
    MAIL_EMAIL_CHANGE_CURRENT, /* the current address's half of a secure email change */
} mail_kind;

typedef struct mail_text {
    const char *subject;
    const char *body;
} mail_text;

/* The mail of kind: link is the URL to open, token the secret it carries
 * (also shown as a code in recovery mails, for POST /recover/confirm),
 * site the application's URL (SITE_URL), code the 6-digit code shown
 * after the link (NULL: none). */
mail_text auth_mail_template(arena *a, mail_kind kind, const char *site, const char *link,
                             const char *token, const char *code);

#endif
