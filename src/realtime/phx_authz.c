/* Realtime Authorization checks on a connection of their own; see
 * phx_authz.h. */
#include "realtime/phx_authz.h"

#include "realtime/rt_pg.h"

#include <stdlib.h>
#include <string.h>

struct phx_authz {
    rt_pg *pg;
};

typedef struct phx_authz_job {
    phx_authz_fn *fn;
    void *data;
} phx_authz_job;

phx_authz *phx_authz_new(ae_loop *loop, const char *database_url)
{
    phx_authz *z = calloc(1, sizeof(*z));
    if (!z)
        return NULL;
    rt_pg_callbacks cb = {0};
    z->pg = rt_pg_new(loop, database_url, "pgstack-realtime authz", &cb);
    if (!z->pg) {
        free(z);
        return NULL;
    }
    return z;
}

void phx_authz_start(phx_authz *z)
{
    if (z)
        rt_pg_start(z->pg);
}

void phx_authz_free(phx_authz *z)
{
    if (!z)
        return;
    rt_pg_free(z->pg);
    free(z);
}

/* One element of a text[] literal, e.g. read:broadcast. */
static unsigned phx_authz_bit(const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"read:broadcast", PHX_AUTHZ_READ_BROADCAST},
                 {"read:presence", PHX_AUTHZ_READ_PRESENCE},
                 {"write:broadcast", PHX_AUTHZ_WRITE_BROADCAST},
                 {"write:presence", PHX_AUTHZ_WRITE_PRESENCE}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return names[i].bit;
    return 0;
}

unsigned phx_authz_parse(const char *text)
{
    unsigned bits = 0;
    if (!text || *text != '{')
        return 0;
    const char *p = text + 1;
    while (*p && *p != '}') {
        size_t n = strcspn(p, ",}");
        bits |= phx_authz_bit(p, n);
        p += n;
        if (*p == ',')
            p++;
    }
    return bits;
}

static void phx_authz_done(void *data, PGresult *res)
{
    phx_authz_job *j = data;
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    j->fn(j->data, ok, ok ? phx_authz_parse(PQgetvalue(res, 0, 0)) : 0);
    free(j);
}

bool phx_authz_check(phx_authz *z, const char *topic, const rt_auth *auth, phx_authz_fn *fn,
                     void *data)
{
    if (!z || !rt_pg_up(z->pg))
        return false;
    phx_authz_job *j = malloc(sizeof(*j));
    if (!j)
        return false;
    *j = (phx_authz_job){fn, data};
    const char *params[] = {topic, auth->role ? auth->role : "anon",
                            auth->claims_json ? auth->claims_json : "{}"};
    if (!rt_pg_query(z->pg, "select realtime.pgstack_authorize($1, $2, $3)", 3, params,
                     phx_authz_done, j)) {
        free(j);
        return false;
    }
    return true;
}
