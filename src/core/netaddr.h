/* Client addresses: matching an address against a list of addresses and
 * CIDR ranges, and choosing the client address of a request, believing
 * X-Forwarded-For only when the peer is a trusted proxy. */
#ifndef PGSTACK_NETADDR_H
#define PGSTACK_NETADDR_H

#include "core/arena.h"
#include "core/config.h"

#include <stdbool.h>

/* True when addr (IPv4 or IPv6 text) is in one of the entries
 * ("10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"). */
bool netaddr_in_list(const char *addr, const str_list *list);

/* REMOTE_ADDR, or - when REMOTE_ADDR is trusted - the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy. */
const char *netaddr_client(arena *a, const char *remote_addr, const char *forwarded_for,
                           const str_list *trusted);

#endif
