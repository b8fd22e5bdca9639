/* In-memory http_io and small helpers for the unit tests; see memio.h. */
#include "memio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

static ssize_t mem_read(void *ctx, char *buf, size_t n)
{
    memio *m = ctx;
    m->reads++;
    size_t left = m->in_len - m->in_pos;
    if (left == 0)
        return m->read_error ? -1 : 0;
    if (n > left)
        n = left;
    if (m->max_chunk && n > m->max_chunk)
        n = m->max_chunk;
    memcpy(buf, m->in + m->in_pos, n);
    m->in_pos += n;
    return (ssize_t)n;
}

static bool mem_write(void *ctx, const char *buf, size_t n)
{
    memio *m = ctx;
    m->writes++;
    if (m->fail_write)
        return false;
    if (m->out_len + n + 1 > m->out_cap) {
        size_t cap = m->out_cap ? m->out_cap : 256;
        while (cap < m->out_len + n + 1)
            cap *= 2;
        m->out = realloc(m->out, cap);
        m->out_cap = cap;
    }
    memcpy(m->out + m->out_len, buf, n);
    m->out_len += n;
    m->out[m->out_len] = '\0';
    return true;
}

static void mem_flush(void *ctx)
{
    memio *m = ctx;
    if (m->flushes < 64)
        m->flushed_len[m->flushes] = m->out_len;
    m->flushes++;
}

void memio_init(memio *m, http_io *io, const char *in, size_t in_len)
{
    memset(m, 0, sizeof(*m));
    m->in = in;
    m->in_len = in ? in_len : 0;
    io->ctx = m;
    io->read = mem_read;
    io->write = mem_write;
    io->flush = mem_flush;
}

void memio_free(memio *m)
{
    free(m->out);
    m->out = NULL;
    m->out_len = m->out_cap = 0;
}

const char *memio_text(const memio *m)
{
    return m->out ? m->out : "";
}

const char *memio_body(const memio *m)
{
    const char *t = memio_text(m);
    const char *blank = strstr(t, "\r\n\r\n");
    return blank ? blank + 4 : NULL;
}

const char *memio_header(const memio *m, const char *name)
{
    static char value[1024];
    const char *t = memio_text(m);
    const char *end = strstr(t, "\r\n\r\n");
    if (!end)
        end = t + strlen(t);
    size_t n = strlen(name);
    const char *line = t;
    while (line < end) {
        const char *eol = strstr(line, "\r\n");
        if (!eol || eol > end)
            eol = end;
        if ((size_t)(eol - line) > n + 1 && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t len = (size_t)(eol - v);
            if (len >= sizeof value)
                len = sizeof value - 1;
            memcpy(value, v, len);
            value[len] = '\0';
            return value;
        }
        line = eol + 2;
    }
    return NULL;
}

bool unit_config(pgstack_config *cfg, const char *file_text, char *const *env, unsigned needs)
{
    char err[256] = "";
    if (!config_load_text(cfg, NULL, NULL, file_text, env, needs, err, sizeof err)) {
        fprintf(stderr, "unit_config: %s\n", err);
        return false;
    }
    return true;
}

bool unit_settings(const config_section *s, void *settings, const char *file_text, char *const *env)
{
    char err[256] = "";
    if (!config_section_load(s, settings, file_text, env, 0, err, sizeof err)) {
        fprintf(stderr, "unit_settings: %s\n", err);
        return false;
    }
    return true;
}
