/* Building one email as RFC 5322 text (CRLF line ends) from validated
 * parts. Header values never carry user text raw: addresses must be plain
 * printable ASCII without spaces or specials, display names and subjects
 * are quoted or RFC 2047 encoded and folded, and anything with a control
 * character (CR, LF, NUL, ...) or invalid UTF-8 is refused. The body is
 * sent as quoted-printable UTF-8, so no line exceeds 76 characters whatever
 * the links contain. */
#ifndef PGSTACK_MAIL_MESSAGE_H
#define PGSTACK_MAIL_MESSAGE_H

#include "core/arena.h"

#include <stdbool.h>
#include <time.h>

#define MAIL_ADDRESS_MAX 254
#define MAIL_SUBJECT_MAX 900
#define MAIL_NAME_MAX 200

typedef struct mail_message {
    const char *from;       /* "Display Name <address>" or "address" (SMTP_FROM) */
    const char *to;         /* a bare address */
    const char *subject;    /* UTF-8 text */
    const char *body;       /* UTF-8 plain text with '\n' line ends */
    time_t date;            /* 0: now */
    const char *message_id; /* "<...@...>"; NULL: a random one */
} mail_message;

/* An address fit for an SMTP envelope and a header: one '@' with text on
 * both sides, printable ASCII without space and without ()<>[]\,;:" , at
 * most MAIL_ADDRESS_MAX characters. */
bool auth_mail_address_safe(const char *address);

/* Splits a From value into display name (NULL when none) and address;
 * false when either part is unfit. */
bool auth_mail_from_parse(arena *a, const char *from, const char **name, const char **address);

/* The whole message, or NULL with *why set to a short reason. */
char *auth_mail_message_render(arena *a, const mail_message *m, const char **why);

#endif
