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
    /* the same as an object, parsed on first use: read it with
     * credentials_claims() (a cached token brings only the text) */
    json_object *claims_parsed;
} auth_ctx;

#endif
