/* The auth emails' text; see auth_mail_template.h. */
#include "auth/mail_template.h"

#define FOOTER "\n-- \nThis message was sent automatically by %s.\n"

/* GoTrue's {{ .Token }}: the 6-digit code, for apps that ask for it
 * (supabase-js verifyOtp) instead of having the link opened. */
static const char *code_line(arena *a, const char *code)
{
    return code ? arena_printf(a, "\n\nOr enter this code where you asked for the email:\n\n%s",
                               code)
                : "";
}

mail_text auth_mail_template(arena *a, mail_kind kind, const char *site, const char *link,
                             const char *token, const char *code)
{
    mail_text t = {0};
    const char *footer = arena_printf(a, FOOTER, site);
    if (link)
        link = arena_printf(a, "%s%s", link, code_line(a, code));
    switch (kind) {
    case MAIL_CONFIRMATION:
        t.subject = "Confirm your email address";
        t.body = arena_printf(a,
                              "Hello,\n\nAn account at %s was created with this email address.\n"
                              "To confirm the address, open this link:\n\n%s\n\n"
                              "The link works once and expires in 24 hours.\n"
                              "If you did not sign up, ignore this message.\n%s",
                              site, link, footer);
        break;
    case MAIL_MAGIC_LINK:
        t.subject = "Your sign-in link";
        t.body = arena_printf(a,
                              "Hello,\n\nTo sign in to %s, open this link:\n\n%s\n\n"
                              "The link works once and expires in 1 hour.\n"
                              "If you did not ask to sign in, ignore this message.\n%s",
                              site, link, footer);
        break;
    case MAIL_RECOVERY:
        t.subject = "Reset your password";
        t.body = arena_printf(a,
                              "Hello,\n\nSomeone asked to reset the password of your account at "
                              "%s.\nTo choose a new password, open this link:\n\n%s\n\n"
                              "If the application asks for a reset token, enter:\n\n%s\n\n"
                              "The link and the code work once and expire in 1 hour.\n"
                              "If you did not ask for this, ignore this message; your password "
                              "stays as it is.\n%s",
                              site, link, token, footer);
        break;
    case MAIL_INVITE:
        t.subject = "You have been invited";
        t.body = arena_printf(a,
                              "Hello,\n\nYou have been invited to create an account at %s.\n"
                              "To accept the invitation, open this link:\n\n%s\n\n"
                              "The link works once and expires in 24 hours.\n"
                              "If you do not want an account, ignore this message.\n%s",
                              site, link, footer);
        break;
    case MAIL_REAUTHENTICATION:
        t.subject = "Confirm it is you";
        t.body = arena_printf(a,
                              "Hello,\n\nTo confirm a change to your account at %s, enter this "
                              "code where you asked for it:\n\n%s\n\n"
                              "The code works once and expires in 1 hour.\n"
                              "If you did not ask for it, change your password.\n%s",
                              site, code ? code : "", footer);
        break;
    case MAIL_EMAIL_CHANGE_CURRENT:
        t.subject = "Confirm the change of your email address";
        t.body = arena_printf(a,
                              "Hello,\n\nSomeone asked to change the email address of your "
                              "account at %s away from this one.\nTo allow the change, open this "
                              "link:\n\n%s\n\n"
                              "The new address must be confirmed as well. The link works once and "
                              "expires in 24 hours.\n"
                              "If you did not ask for this, ignore this message and change your "
                              "password.\n%s",
                              site, link, footer);
        break;
    case MAIL_EMAIL_CHANGE:
        t.subject = "Confirm your new email address";
        t.body = arena_printf(a,
                              "Hello,\n\nYou asked to use this email address for your account at "
                              "%s.\nTo confirm the change, open this link:\n\n%s\n\n"
                              "The link works once and expires in 24 hours.\n"
                              "If you did not ask for this, ignore this message.\n%s",
                              site, link, footer);
        break;
    }
    return t;
}
