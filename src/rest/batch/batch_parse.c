/* The batch body and its references; see batch_parse.h. */
#include "rest/batch/batch_parse.h"

#include "core/json_text.h"
#include "core/sbuf.h"

#include <ctype.h>
#include <string.h>

#define BAD_BODY "PGRST102"

static const char *const METHODS[] = {"GET", "POST", "PATCH", "DELETE"};
static const char *const HEADERS[] = {
    "prefer", "accept", "range", "range-unit", "accept-profile", "content-profile", "content-type"};

/* A reference {{id.field}} found in a string at [start, end). */
typedef struct ref_span {
    size_t start, end;
    const char *id;
    const char *field;
} ref_span;

/* The next reference from offset from: 1 found, 0 none, -1 malformed. */
static int next_ref(arena *a, const char *s, size_t from, ref_span *r)
{
    const char *open = strstr(s + from, "{{");
    if (!open)
        return 0;
    const char *close = strstr(open + 2, "}}");
    if (!close)
        return -1;
    const char *inner = open + 2;
    size_t n = (size_t)(close - inner);
    const char *dot = memchr(inner, '.', n);
    if (!dot || dot == inner || dot + 1 == close || memchr(inner, '{', n))
        return -1;
    r->start = (size_t)(open - s);
    r->end = (size_t)(close + 2 - s);
    r->id = arena_strndup(a, inner, (size_t)(dot - inner));
    r->field = arena_strndup(a, dot + 1, (size_t)(close - dot - 1));
    return 1;
}

static bool id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > REST_BATCH_MAX_ID)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '_' && id[i] != '-')
            return false;
    return true;
}

/* A 400 PGRST102 (false); a macro so the format stays a literal. */
#define fail(err, a, fmt, arg) rest_error_set(err, a, 400, BAD_BODY, NULL, NULL, fmt, arg)

typedef struct checker {
    arena *a;
    rest_batch *b;
    size_t op; /* the operation being checked */
    rest_error *err;
} checker;

/* Checks the references of s: each names an earlier operation. */
static bool check_refs(checker *c, const char *s)
{
    ref_span r;
    size_t from = 0;
    int found;
    while ((found = next_ref(c->a, s, from, &r)) == 1) {
        size_t j = 0;
        while (j < c->b->count && !(c->b->ops[j].id && strcmp(c->b->ops[j].id, r.id) == 0))
            j++;
        if (j >= c->op)
            return rest_error_set(c->err, c->a, 400, BAD_BODY, NULL, NULL,
                                  "Reference {{%s.%s}} must name an earlier operation", r.id,
                                  r.field);
        rest_batch_op *o = &c->b->ops[c->op];
        if (o->depends_on < j + 1)
            o->depends_on = j + 1;
        from = r.end;
    }
    return found == 0 || fail(c->err, c->a, "Malformed reference in \"%s\" (use {{id.field}})", s);
}

static bool check_body_refs(checker *c, json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return check_refs(c, json_object_get_string(v));
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!check_body_refs(c, json_object_array_get_idx(v, i)))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(v, key, val)
        {
            (void)key;
            if (!check_body_refs(c, val))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

static const char *string_member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool parse_method(checker *c, json_object *o, rest_batch_op *op)
{
    const char *m = string_member(o, "method");
    for (size_t i = 0; m && i < sizeof METHODS / sizeof METHODS[0]; i++)
        if (strcasecmp(m, METHODS[i]) == 0) {
            op->method = METHODS[i];
            return true;
        }
    return fail(c->err, c->a, "Operation method must be GET, POST, PATCH or DELETE, not %s",
                m ? m : "missing");
}

static bool parse_path(checker *c, json_object *o, rest_batch_op *op, size_t max_query_len)
{
    const char *path = string_member(o, "path");
    if (!path)
        return fail(c->err, c->a, "Operation path %s", "is missing");
    if (strncmp(path, "/rest/v1/", 9) == 0)
        path += 8;
    bool rpc = strncmp(path, "/rpc/", 5) == 0;
    if (rpc && strcmp(op->method, "POST") != 0)
        return fail(c->err, c->a, "An RPC operation must use POST, not %s", op->method);
    /* judge the leading '/' before stepping past it: "" and "?x" have none */
    const char *name = path[0] != '/' ? path : rpc ? path + 5 : path + 1;
    const char *q = strchr(name, '?');
    size_t n = q ? (size_t)(q - name) : strlen(name);
    char *decoded;
    if (path[0] != '/' || n < 1 || memchr(name, '/', n) ||
        percent_decode(c->a, name, n, false, &decoded) != QUERY_OK || !decoded[0])
        return fail(c->err, c->a,
                    "Operation path must be /table or /rpc/function with an optional query "
                    "string, not %s",
                    path);
    op->table = rpc ? NULL : decoded;
    op->function = rpc ? decoded : NULL;
    query_status st = query_parse(c->a, q ? q + 1 : "", max_query_len, &op->query);
    if (st != QUERY_OK)
        return fail(c->err, c->a, "Operation query string: %s", query_status_message(st));
    for (size_t i = 0; i < op->query.count; i++) {
        if (strstr(op->query.items[i].key, "{{"))
            return fail(c->err, c->a, "References may stand only in query values, not in %s",
                        op->query.items[i].key);
        if (!check_refs(c, op->query.items[i].value))
            return false;
    }
    return true;
}

static bool parse_headers(checker *c, json_object *o, rest_batch_op *op)
{
    json_object *h;
    if (!json_object_object_get_ex(o, "headers", &h) || json_object_is_type(h, json_type_null))
        return true;
    if (!json_object_is_type(h, json_type_object))
        return fail(c->err, c->a, "Operation headers must be %s", "an object of strings");
    size_t n = (size_t)json_object_object_length(h);
    op->headers.items = arena_zalloc(c->a, (n ? n : 1) * sizeof(header));
    op->headers.cap = n;
    json_object_object_foreach(h, key, val)
    {
        char *name = arena_strdup(c->a, key);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        bool known = false;
        for (size_t i = 0; i < sizeof HEADERS / sizeof HEADERS[0]; i++)
            known = known || strcmp(name, HEADERS[i]) == 0;
        if (!known)
            return fail(c->err, c->a, "Header %s is not supported in a batch operation", key);
        if (!json_object_is_type(val, json_type_string))
            return fail(c->err, c->a, "Header %s must be a string", key);
        op->headers.items[op->headers.count++] =
            (header){name, arena_strdup(c->a, json_object_get_string(val))};
    }
    return true;
}

static bool parse_body(checker *c, json_object *o, rest_batch_op *op)
{
    json_object *body;
    if (!json_object_object_get_ex(o, "body", &body) || json_object_is_type(body, json_type_null))
        return true;
    if (strcmp(op->method, "GET") == 0 || strcmp(op->method, "DELETE") == 0)
        return fail(c->err, c->a, "A %s operation takes no body", op->method);
    op->body = body;
    return check_body_refs(c, body);
}

static bool parse_op(checker *c, json_object *o, size_t max_query_len)
{
    rest_batch_op *op = &c->b->ops[c->op];
    if (!json_object_is_type(o, json_type_object))
        return fail(c->err, c->a, "Each operation must be %s", "an object");
    const char *id = string_member(o, "id");
    if (!id || !id_valid(id))
        return fail(c->err, c->a,
                    "Operation id must be 1 to 64 letters, digits, '_' or '-', not %s",
                    id ? id : "missing");
    for (size_t j = 0; j < c->op; j++)
        if (strcmp(c->b->ops[j].id, id) == 0)
            return fail(c->err, c->a, "Operation id %s is used twice", id);
    op->id = id;
    return parse_method(c, o, op) && parse_path(c, o, op, max_query_len) &&
           parse_headers(c, o, op) && parse_body(c, o, op);
}

static bool parse_top(arena *a, json_object *doc, size_t max_ops, rest_batch *out, rest_error *err,
                      json_object **ops)
{
    json_object *atomic;
    if (!doc || !json_object_is_type(doc, json_type_object))
        return fail(err, a, "The batch body must be %s", "a JSON object");
    out->atomic = true;
    if (json_object_object_get_ex(doc, "atomic", &atomic)) {
        if (!json_object_is_type(atomic, json_type_boolean))
            return fail(err, a, "\"atomic\" must be %s", "true or false");
        out->atomic = json_object_get_boolean(atomic);
    }
    if (!json_object_object_get_ex(doc, "operations", ops) ||
        !json_object_is_type(*ops, json_type_array))
        return fail(err, a, "\"operations\" must be %s", "an array");
    out->count = json_object_array_length(*ops);
    if (out->count > max_ops)
        return rest_error_set(err, a, 400, BAD_BODY, NULL, NULL,
                              "A batch may hold at most %zu operations (BATCH_MAX_OPERATIONS), "
                              "this one has %zu",
                              max_ops, out->count);
    return true;
}

bool rest_batch_parse(arena *a, const char *data, size_t len, size_t max_ops, size_t max_query_len,
                      rest_batch *out, rest_error *err, const char **failed_op)
{
    memset(out, 0, sizeof *out);
    *failed_op = NULL;
    json_object *doc = json_arena_owned(a, data ? json_parse_exact(data, len) : NULL), *ops;
    if (!parse_top(a, doc, max_ops, out, err, &ops))
        return false;
    out->ops = arena_zalloc(a, (out->count ? out->count : 1) * sizeof(rest_batch_op));
    checker c = {a, out, 0, err};
    for (c.op = 0; c.op < out->count; c.op++) {
        if (!parse_op(&c, json_object_array_get_idx(ops, c.op), max_query_len)) {
            const char *id = out->ops[c.op].id;
            *failed_op = id ? id : arena_printf(a, "#%zu", c.op);
            return false;
        }
    }
    return true;
}

/* ---- resolution ---- */

typedef struct resolver {
    arena *a;
    const rest_batch *b;
    json_object *const *data;
    rest_error *err;
} resolver;

/* The referenced value into *out (borrowed; NULL for JSON null); false
 * with err when the field is not there. */
static bool lookup(resolver *r, const ref_span *s, json_object **out)
{
    size_t j = 0;
    while (j < r->b->count && strcmp(r->b->ops[j].id, s->id) != 0)
        j++;
    json_object *d = j < r->b->count ? r->data[j] : NULL;
    if (d && json_object_is_type(d, json_type_array))
        d = json_object_array_length(d) ? json_object_array_get_idx(d, 0) : NULL;
    if (d && json_object_is_type(d, json_type_object) &&
        json_object_object_get_ex(d, s->field, out))
        return true;
    return rest_error_set(r->err, r->a, 400, BAD_BODY, NULL, NULL,
                          "Reference {{%s.%s}}: the result of operation %s has no field %s", s->id,
                          s->field, s->id, s->field);
}

static const char *value_text(arena *a, json_object *v)
{
    if (!v)
        return "null";
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return json_text(a, v);
}

/* s with every reference replaced by its value's text; NULL with err. */
static const char *resolve_text(resolver *r, const char *s)
{
    sbuf out;
    sbuf_init(&out, r->a, strlen(s) + 16);
    ref_span span;
    size_t from = 0;
    while (next_ref(r->a, s, from, &span) == 1) {
        json_object *v;
        if (!lookup(r, &span, &v))
            return NULL;
        sbuf_append(&out, s + from, span.start - from);
        sbuf_puts(&out, value_text(r->a, v));
        from = span.end;
    }
    sbuf_puts(&out, s + from);
    return out.data;
}

static json_object *resolve_json(resolver *r, json_object *v, bool *ok);

static json_object *resolve_string(resolver *r, json_object *v, bool *ok)
{
    const char *s = json_object_get_string(v);
    ref_span span;
    if (next_ref(r->a, s, 0, &span) != 1)
        return json_object_get(v);
    if (span.start == 0 && span.end == strlen(s)) {
        json_object *found;
        *ok = lookup(r, &span, &found);
        return *ok ? json_object_get(found) : NULL;
    }
    const char *text = resolve_text(r, s);
    *ok = text != NULL;
    return text ? json_object_new_string(text) : NULL;
}

static json_object *resolve_json(resolver *r, json_object *v, bool *ok)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        return resolve_string(r, v, ok);
    case json_type_array: {
        json_object *out = json_object_new_array();
        for (size_t i = 0; *ok && i < json_object_array_length(v); i++)
            json_object_array_add(out, resolve_json(r, json_object_array_get_idx(v, i), ok));
        return out;
    }
    case json_type_object: {
        json_object *out = json_object_new_object();
        json_object_object_foreach(v, key, val)
        {
            if (!*ok)
                break;
            json_object_object_add(out, key, resolve_json(r, val, ok));
        }
        return out;
    }
    default:
        return json_object_get(v);
    }
}

bool rest_batch_resolve(arena *a, const rest_batch *b, size_t i, json_object *const *data,
                        rest_batch_resolved *out, rest_error *err)
{
    const rest_batch_op *op = &b->ops[i];
    resolver r = {a, b, data, err};
    out->query = op->query;
    out->body_text = op->body ? json_text(a, op->body) : NULL;
    if (!op->depends_on)
        return true;
    out->query.items =
        arena_alloc(a, (op->query.count ? op->query.count : 1) * sizeof(query_param));
    for (size_t k = 0; k < op->query.count; k++) {
        const char *v = resolve_text(&r, op->query.items[k].value);
        if (!v)
            return false;
        out->query.items[k] = (query_param){op->query.items[k].key, v};
    }
    if (op->body) {
        bool ok = true;
        json_object *body = json_arena_owned(a, resolve_json(&r, op->body, &ok));
        if (!ok)
            return false;
        out->body_text = json_text(a, body);
    }
    return true;
}
