/* The cursor of the REST request parser and the tokens every parameter
 * shares: names (bare or "quoted"), JSON paths, type identifiers, position-
 * carrying errors; plus the arena vector. Bare names are permissive (any
 * character but the grammar's delimiters): they are never trusted, the
 * planner resolves them against the catalog and quotes them. */
#include "rest/parse/parse_internal.h"

#include <stdarg.h>
#include <string.h>

void rest_scan_init(scan *s, parse_ctx *ctx, const char *text, const char *what, const char *label)
{
    s->ctx = ctx;
    s->text = text;
    s->len = strlen(text);
    s->pos = 0;
    s->what = what;
    s->label = label;
}

const char *rest_scan_details(scan *s)
{
    return arena_printf(s->ctx->arena, "%s%s", s->label ? s->label : "",
                        rest_excerpt(s->ctx->arena, s->text));
}

bool rest_scan_eof(const scan *s)
{
    return s->pos >= s->len;
}

char rest_scan_peek(const scan *s)
{
    return rest_scan_eof(s) ? '\0' : s->text[s->pos];
}

bool rest_scan_at(const scan *s, const char *literal)
{
    size_t n = strlen(literal);
    return s->len - s->pos >= n && memcmp(s->text + s->pos, literal, n) == 0;
}

bool rest_scan_accept(scan *s, const char *literal)
{
    if (!rest_scan_at(s, literal))
        return false;
    s->pos += strlen(literal);
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void rest_scan_skip_ws(scan *s)
{
    while (!rest_scan_eof(s) && is_blank(s->text[s->pos]))
        s->pos++;
}

/* ---- errors ------------------------------------------------------------- */

static bool scan_vfail(scan *s, bool with_pos, size_t pos, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static bool scan_vfail(scan *s, bool with_pos, size_t pos, const char *fmt, va_list ap)
{
    arena *a = s->ctx->arena;
    const char *problem = arena_vprintf(a, fmt, ap);
    const char *details = rest_scan_details(s);
    if (with_pos)
        return rest_fail(s->ctx, 400, "PGRST100", details, NULL, "%s in %s at position %zu",
                         problem, s->what, pos + 1);
    return rest_fail(s->ctx, 400, "PGRST100", details, NULL, "%s in %s", problem, s->what);
}

bool rest_scan_fail(scan *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scan_vfail(s, true, s->pos, fmt, ap);
    va_end(ap);
    return false;
}

bool rest_scan_fail_at(scan *s, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scan_vfail(s, true, pos, fmt, ap);
    va_end(ap);
    return false;
}

bool rest_scan_fail_here(scan *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scan_vfail(s, false, 0, fmt, ap);
    va_end(ap);
    return false;
}

static size_t utf8_sequence_length(unsigned char lead)
{
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

const char *rest_scan_describe(scan *s)
{
    if (rest_scan_eof(s))
        return "end of input";
    unsigned char c = (unsigned char)s->text[s->pos];
    if (c >= 0x80) {
        size_t n = utf8_sequence_length(c);
        if (n > s->len - s->pos)
            n = s->len - s->pos;
        return arena_printf(s->ctx->arena, "'%.*s'", (int)n, s->text + s->pos);
    }
    if (c < 0x20 || c == 0x7F)
        return arena_printf(s->ctx->arena, "byte 0x%02X", c);
    return arena_printf(s->ctx->arena, "'%c'", c);
}

/* ---- tokens ------------------------------------------------------------- */

/* Bytes of the quoted text starting after the opening quote at s->pos, and
 * the position after the closing quote; false when it is never closed. */
static bool measure_quoted(const scan *s, size_t *bytes, size_t *end)
{
    size_t n = 0, i = s->pos + 1;
    while (i < s->len && s->text[i] != '"') {
        if (s->text[i] == '\\' && ++i == s->len)
            return false;
        i++;
        n++;
    }
    *bytes = n;
    *end = i + 1;
    return i < s->len;
}

bool rest_scan_quoted(scan *s, const char **out)
{
    size_t bytes, end;
    if (!measure_quoted(s, &bytes, &end))
        return rest_scan_fail(s, "unterminated quoted value");
    char *buf = arena_alloc(s->ctx->arena, bytes + 1);
    size_t n = 0;
    for (size_t i = s->pos + 1; i + 1 < end; i++) {
        if (s->text[i] == '\\')
            i++;
        buf[n++] = s->text[i];
    }
    buf[n] = '\0';
    s->pos = end;
    *out = buf;
    return true;
}

/* The delimiters of PostgREST's grammar end a bare name. */
static bool ends_bare_name(const scan *s)
{
    char c = s->text[s->pos];
    return strchr(",():!.\"*", c) != NULL || rest_scan_at(s, "->");
}

/* JSON keys may also hold '!' and '*' (->!@#$%^&*_a is a key). */
static bool ends_json_key(const scan *s)
{
    char c = s->text[s->pos];
    return strchr(",():.\"", c) != NULL || rest_scan_at(s, "->");
}

static const char *scan_bare(scan *s, bool (*ends)(const scan *))
{
    size_t start = s->pos;
    while (!rest_scan_eof(s) && !ends(s))
        s->pos++;
    size_t end = s->pos;
    while (end > start && is_blank(s->text[end - 1]))
        end--;
    while (start < end && is_blank(s->text[start]))
        start++;
    if (end == start)
        return NULL;
    return arena_strndup(s->ctx->arena, s->text + start, end - start);
}

bool rest_scan_name(scan *s, const char *role, const char **out)
{
    rest_scan_skip_ws(s);
    if (rest_scan_peek(s) == '"') {
        size_t start = s->pos;
        if (!rest_scan_quoted(s, out))
            return false;
        if (**out == '\0')
            return rest_scan_fail_at(s, start, "empty quoted name");
        rest_scan_skip_ws(s);
        return true;
    }
    const char *name = scan_bare(s, ends_bare_name);
    if (!name)
        return rest_scan_fail(s, "expected %s but found %s", role, rest_scan_describe(s));
    *out = name;
    return true;
}

static bool is_array_index(const char *key)
{
    if (*key == '-')
        key++;
    if (!*key)
        return false;
    for (; *key; key++)
        if (*key < '0' || *key > '9')
            return false;
    return true;
}

static bool scan_json_step(scan *s, rest_json_step *step)
{
    const char *arrow = step->as_text ? "->>" : "->";
    if (rest_scan_peek(s) == '"') {
        size_t start = s->pos;
        if (!rest_scan_quoted(s, &step->key))
            return false;
        if (*step->key == '\0')
            return rest_scan_fail_at(s, start, "empty JSON key after '%s'", arrow);
        return true;
    }
    step->key = scan_bare(s, ends_json_key);
    if (!step->key)
        return rest_scan_fail(s, "expected a JSON key or array index after '%s' but found %s",
                              arrow, rest_scan_describe(s));
    step->is_index = is_array_index(step->key);
    return true;
}

bool rest_scan_json_path(scan *s, rest_field *field)
{
    vec steps = {0};
    for (;;) {
        bool as_text;
        if (rest_scan_accept(s, "->>"))
            as_text = true;
        else if (rest_scan_accept(s, "->"))
            as_text = false;
        else
            break;
        rest_json_step *step = vec_push(s->ctx->arena, &steps, sizeof(*step));
        step->as_text = as_text;
        if (!scan_json_step(s, step))
            return false;
    }
    field->json_path = steps.items;
    field->json_path_len = steps.count;
    return true;
}

bool rest_scan_field(scan *s, const char *role, rest_field *field)
{
    if (!rest_scan_name(s, role, &field->column) || !rest_scan_json_path(s, field))
        return false;
    rest_scan_skip_ws(s);
    return true;
}

static bool is_identifier_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == ' ';
}

bool rest_scan_identifier(scan *s, const char *role, const char **out)
{
    size_t start = s->pos;
    while (!rest_scan_eof(s) && is_identifier_char(s->text[s->pos]))
        s->pos++;
    size_t end = s->pos;
    while (end > start && s->text[end - 1] == ' ')
        end--;
    while (start < end && s->text[start] == ' ')
        start++;
    if (end == start)
        return rest_scan_fail(s, "expected %s but found %s", role, rest_scan_describe(s));
    *out = arena_strndup(s->ctx->arena, s->text + start, end - start);
    return true;
}
