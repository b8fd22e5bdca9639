/* Where a webhook may be sent: an absolute http(s) URL whose host is never
 * link-local (169.254.0.0/16, fe80::/10, in any spelling: decimal, hex,
 * octal, short forms, IPv4-mapped/compatible/NAT64/6to4 IPv6; cloud metadata
 * endpoints live there) and, with WEBHOOK_DENY_PRIVATE, not private or
 * loopback either. Checked at registration (literal addresses and names
 * that resolve) and again for every address the delivery connects to. */
#ifndef PGSTACK_WEBHOOK_URL_H
#define PGSTACK_WEBHOOK_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define WEBHOOK_URL_MAX 2048

/* True when the address may receive webhooks; otherwise false with the
 * reason in why. */
bool webhook_addr_allowed(const struct sockaddr *sa, bool deny_private, char *why, size_t whylen);

/* Checks url: parsed with libcurl's URL API; scheme http or https; a host;
 * the host's address(es) allowed. Names are resolved with getaddrinfo when
 * resolve is true (a name that does not resolve now passes: it is checked
 * again when delivering). False with a one-line reason in why. */
bool webhook_url_check(const char *url, bool deny_private, bool resolve, char *why, size_t whylen);

#endif
