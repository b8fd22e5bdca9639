/* multipart/form-data as browsers and storage-js send it (RFC 7578): the
 * file part (field name "" or a part with a filename) and the text fields
 * cacheControl, metadata and contentType; see ingest.h. */
#include "storage/ingest.h"

#include <string.h>
#include <strings.h>

static bool refuse(const char **why, const char *message)
{
    *why = message;
    return false;
}

/* The boundary parameter of the Content-Type (quoted or not). */
static const char *boundary_of(arena *a, const char *content_type)
{
    const char *p = content_type ? strcasestr(content_type, "boundary=") : NULL;
    if (!p)
        return NULL;
    p += 9;
    size_t n;
    if (*p == '"') {
        p++;
        const char *end = strchr(p, '"');
        n = end ? (size_t)(end - p) : 0;
    } else {
        n = strcspn(p, "; \t");
    }
    return n > 0 && n <= 70 ? arena_strndup(a, p, n) : NULL;
}

/* The value of a header line "Name: value" inside [h, end), or NULL. */
static const char *header_value(arena *a, const char *h, const char *end, const char *name)
{
    size_t nlen = strlen(name);
    while (h < end) {
        const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - h) > nlen && strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
            const char *v = h + nlen + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            return arena_strndup(a, v, (size_t)(eol - v));
        }
        h = eol + 2;
    }
    return NULL;
}

/* A parameter of Content-Disposition (name="x", filename="y"). */
static const char *disposition_param(arena *a, const char *disp, const char *param)
{
    size_t plen = strlen(param);
    for (const char *p = disp; (p = strcasestr(p, param)) != NULL; p += plen) {
        bool starts = p == disp || p[-1] == ' ' || p[-1] == ';';
        if (!starts || p[plen] != '=')
            continue;
        const char *v = p + plen + 1;
        if (*v == '"') {
            const char *end = strchr(v + 1, '"');
            return end ? arena_strndup(a, v + 1, (size_t)(end - v - 1)) : NULL;
        }
        return arena_strndup(a, v, strcspn(v, "; "));
    }
    return NULL;
}

static void keep_part(arena *a, storage_form *form, const char *headers, const char *hend,
                      const char *body, size_t blen)
{
    const char *disp = header_value(a, headers, hend, "Content-Disposition");
    const char *name = disp ? disposition_param(a, disp, "name") : NULL;
    const char *filename = disp ? disposition_param(a, disp, "filename") : NULL;
    if (!name)
        return;
    if ((*name == '\0' || filename) && !form->part) {
        form->part = body;
        form->part_len = blen;
        form->part_type = header_value(a, headers, hend, "Content-Type");
    } else if (strcmp(name, "cacheControl") == 0) {
        form->cache_control = arena_strndup(a, body, blen);
    } else if (strcmp(name, "metadata") == 0) {
        form->metadata = arena_strndup(a, body, blen);
    } else if (strcmp(name, "contentType") == 0) {
        form->content_type_field = arena_strndup(a, body, blen);
    }
}

bool storage_multipart_parse(arena *a, const char *content_type, const char *data, size_t len,
                             storage_form *form, const char **why)
{
    memset(form, 0, sizeof *form);
    const char *boundary = boundary_of(a, content_type);
    if (!boundary)
        return refuse(why, "multipart body without a boundary");
    const char *delim = arena_printf(a, "\r\n--%s", boundary);
    size_t dlen = strlen(delim);
    const char *end = data + len;
    /* the first delimiter may start the body without the CRLF */
    const char *p = len >= dlen - 2 && memcmp(data, delim + 2, dlen - 2) == 0
                        ? data + dlen - 2
                        : memmem(data, len, delim, dlen);
    if (!p)
        return refuse(why, "multipart body without its boundary");
    if (p != data + dlen - 2)
        p += dlen;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return refuse(why, "malformed multipart delimiter");
        p += 2;
        const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend)
            return refuse(why, "multipart part without headers end");
        const char *body = hend + 4;
        const char *next = memmem(body, (size_t)(end - body), delim, dlen);
        if (!next)
            return refuse(why, "multipart body not terminated");
        keep_part(a, form, p, hend + 2, body, (size_t)(next - body));
        p = next + dlen;
    }
    if (!form->part)
        return refuse(why, "multipart body without a file part");
    return true;
}
