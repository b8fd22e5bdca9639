/* Delivering one rendered email. With SMTP_URL: SMTP through libcurl
 * (smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS
 * when the server offers it, and insists on it when SMTP_USER/SMTP_PASS
 * would otherwise cross the network in clear — loopback excepted).
 * Without: one file per message in the Maildir MAIL_SPOOL_DIR, written in
 * tmp/ and renamed into new/, so a reader never sees half a message
 * (mode 0600: the files hold live tokens). */
#ifndef PGSTACK_MAIL_TRANSPORT_H
#define PGSTACK_MAIL_TRANSPORT_H

#include "auth/auth_settings.h"
#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

/* Sends text (a whole message with CRLF line ends) from from_address to
 * to. On failure returns false with a reason for the log in why (never
 * the SMTP password). */
bool auth_mail_transport_send(const auth_settings *cfg, const char *from_address, const char *to,
                              const char *text, char *why, size_t whylen);

#endif
