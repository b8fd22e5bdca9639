/* A text/csv body as PostgREST reads it, turned into the JSON array a JSON
 * body would be: the first line names the columns, every further line is a
 * row with as many fields; fields may be quoted ("a, b", "say ""hi""",
 * line breaks inside); lines end with \n or \r\n, a last line break is
 * optional; an unquoted NULL is null, every other value a string that
 * PostgreSQL converts to its column's type. See body.h. */
#include "core/vec.h"
#include "rest/parse/body.h"

#include "core/json_text.h"
#include "core/utf8.h"

#include <string.h>

typedef struct csv_scan {
    const char *s;
    size_t n, pos;
} csv_scan;

typedef struct csv_field {
    const char *text;
    size_t len;
    bool quoted;
} csv_field;

static bool at_line_end(const csv_scan *c)
{
    return c->pos >= c->n || c->s[c->pos] == '\n' ||
           (c->s[c->pos] == '\r' && c->pos + 1 < c->n && c->s[c->pos + 1] == '\n');
}

static bool read_quoted(arena *a, csv_scan *c, csv_field *f)
{
    char *out = arena_alloc(a, c->n - c->pos + 1);
    size_t len = 0;
    c->pos++; /* the opening quote */
    for (;;) {
        if (c->pos >= c->n)
            return false; /* no closing quote */
        char ch = c->s[c->pos++];
        if (ch == '"' && c->pos < c->n && c->s[c->pos] == '"') {
            c->pos++;
        } else if (ch == '"') {
            break;
        }
        out[len++] = ch;
    }
    out[len] = '\0';
    *f = (csv_field){out, len, true};
    return (c->pos < c->n && c->s[c->pos] == ',') || at_line_end(c);
}

/* One field; false for a malformed quote. */
static bool read_field(arena *a, csv_scan *c, csv_field *f)
{
    if (c->pos < c->n && c->s[c->pos] == '"')
        return read_quoted(a, c, f);
    size_t start = c->pos;
    while (c->pos < c->n && c->s[c->pos] != ',' && !at_line_end(c)) {
        if (c->s[c->pos] == '"')
            return false; /* a quote inside an unquoted field */
        c->pos++;
    }
    *f = (csv_field){arena_strndup(a, c->s + start, c->pos - start), c->pos - start, false};
    return true;
}

/* The fields of the next line into fields (grown in the arena). */
static bool read_line(arena *a, csv_scan *c, csv_field **fields, size_t *count, size_t *cap)
{
    *count = 0;
    for (;;) {
        *fields = vec_grow(a, *fields, *count, cap, *count + 1, sizeof(**fields));
        if (!read_field(a, c, &(*fields)[(*count)++]))
            return false;
        if (c->pos < c->n && c->s[c->pos] == ',') {
            c->pos++;
            continue;
        }
        c->pos += c->pos < c->n && c->s[c->pos] == '\r' ? 2 : c->pos < c->n ? 1 : 0;
        return true;
    }
}

static const char *fail(arena *a, rest_error *err, const char *message)
{
    rest_error_set(err, a, 400, "PGRST102", "The body is read as text/csv.", NULL, "%s", message);
    return NULL;
}

static json_object *csv_value(const csv_field *f)
{
    if (!f->quoted && f->len == 4 && memcmp(f->text, "NULL", 4) == 0)
        return NULL;
    return json_object_new_string_len(f->text, (int)f->len);
}

const char *rest_csv_to_json(arena *a, const char *data, size_t len, rest_error *err)
{
    if (!data || !len || memchr(data, '\0', len) || !utf8_valid(data, len))
        return fail(a, err, "Empty or invalid CSV");
    csv_scan c = {data, len, 0};
    csv_field *header = NULL, *fields = NULL;
    size_t columns = 0, header_cap = 0, count = 0, cap = 0;
    if (!read_line(a, &c, &header, &columns, &header_cap))
        return fail(a, err, "Invalid CSV: a quote is misplaced");
    json_object *rows = json_arena_owned(a, json_object_new_array());
    while (c.pos < c.n) {
        if (!read_line(a, &c, &fields, &count, &cap))
            return fail(a, err, "Invalid CSV: a quote is misplaced");
        if (count != columns)
            return fail(a, err, "All lines must have same number of fields");
        json_object *row = json_object_new_object();
        for (size_t i = 0; i < count; i++)
            json_object_object_add(row, header[i].text, csv_value(&fields[i]));
        json_object_array_add(rows, row);
    }
    return json_text(a, rows);
}
