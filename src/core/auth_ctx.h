/* The verified caller of a request, as plain data: whether credentials
 * came, the role, the subject and the claims. Filled by the worker's
 * credential resolution; read by handlers and the database caller. */
#ifndef PGSTACK_AUTH_CTX_H
#define PGSTACK_AUTH_CTX_H

#include <json-c/json.h>
#include <stdbool.h>

typedef struct auth_ctx {
    bool present;            /* the request carried credentials */
    const char *role;        /* anon | authenticated | service_role */
    const char *sub;         /* "" when the token has none */
    const char *claims_json; /* the verified payload as compact JSON */
    json_object *claims;     /* the same, owned by the request arena */
} auth_ctx;

#endif
