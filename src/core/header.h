/* A header list of name/value pairs. Request header names are stored in
 * lower case with '-' (HTTP_ACCEPT_PROFILE becomes "accept-profile"). */
#ifndef PGSTACK_HEADER_H
#define PGSTACK_HEADER_H

#include <stddef.h>

typedef struct header {
    const char *name;
    const char *value;
} header;

typedef struct header_list {
    header *items;
    size_t count;
    size_t cap;
} header_list;

#endif
