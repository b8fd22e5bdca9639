/* Email address validation for sign-up and sign-in: printable ASCII only
 * (so nothing like CR/LF can ever reach an SMTP header), one '@', a local
 * part of RFC 5322 atom characters and dots, and a domain of LDH labels
 * with at least one dot; at most 254 characters. */
#ifndef PGSTACK_EMAIL_ADDRESS_H
#define PGSTACK_EMAIL_ADDRESS_H

#include <stdbool.h>

bool auth_email_address_valid(const char *email);

#endif
