/* Route matching; see router.h. */
#include "core/router.h"

#include "core/sbuf.h"

#include <stdbool.h>
#include <string.h>

#define MAX_ROUTE_PARAMS 8

typedef struct captures {
    const char *names[MAX_ROUTE_PARAMS];
    const char *values[MAX_ROUTE_PARAMS];
    size_t count;
    const char *wildcard;
} captures;

static size_t segment_len(const char *s)
{
    const char *slash = strchr(s, '/');
    return slash ? (size_t)(slash - s) : strlen(s);
}

/* Matches path against pattern (both start with '/'), segment by segment. */
static bool pattern_match(arena *a, const char *pattern, const char *path, captures *c)
{
    c->count = 0;
    c->wildcard = NULL;
    const char *pp = pattern, *sp = path;
    while (*pp == '/' && *sp == '/') {
        pp++;
        sp++;
        if (strcmp(pp, "*") == 0) {
            c->wildcard = *sp ? sp : NULL;
            return *sp != '\0';
        }
        size_t plen = segment_len(pp), slen = segment_len(sp);
        if (plen >= 2 && pp[0] == '{' && pp[plen - 1] == '}') {
            if (slen == 0 || c->count == MAX_ROUTE_PARAMS)
                return false;
            c->names[c->count] = arena_strndup(a, pp + 1, plen - 2);
            c->values[c->count] = arena_strndup(a, sp, slen);
            c->count++;
        } else if (plen != slen || strncmp(pp, sp, plen) != 0) {
            return false;
        }
        pp += plen;
        sp += slen;
    }
    return *pp == '\0' && *sp == '\0';
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static bool listed(const char *list, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = list; (p = strstr(p, method)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void add_allowed(sbuf *allow, const char *method)
{
    if (listed(allow->data, method))
        return;
    if (allow->len)
        sbuf_puts(allow, ", ");
    sbuf_puts(allow, method);
}

static void store_captures(request *req, const captures *c)
{
    req->param_count = c->count;
    req->param_names = arena_alloc(req->arena, (c->count + 1) * sizeof(char *));
    req->param_values = arena_alloc(req->arena, (c->count + 1) * sizeof(char *));
    memcpy(req->param_names, c->names, c->count * sizeof(char *));
    memcpy(req->param_values, c->values, c->count * sizeof(char *));
    req->wildcard = c->wildcard;
}

route_result router_match(const route *routes, size_t count, request *req, const route **found,
                          const char **allow)
{
    sbuf allowed;
    sbuf_init(&allowed, req->arena, 64);
    captures c;
    for (size_t i = 0; i < count; i++) {
        if (!pattern_match(req->arena, routes[i].pattern, req->path, &c))
            continue;
        if (method_matches(routes[i].method, req->method)) {
            store_captures(req, &c);
            *found = &routes[i];
            return ROUTE_FOUND;
        }
        add_allowed(&allowed, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0)
            add_allowed(&allowed, "HEAD");
    }
    if (allowed.len == 0)
        return ROUTE_NOT_FOUND;
    add_allowed(&allowed, "OPTIONS");
    *allow = allowed.data;
    return ROUTE_METHOD_NOT_ALLOWED;
}
