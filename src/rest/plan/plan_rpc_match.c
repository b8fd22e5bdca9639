/* Choosing the overload an RPC calls, as PostgREST's findProc does. With
 * K the argument keys given, an overload matches when
 *   - Prefer: params=single-object: it has one input argument, json/jsonb;
 *   - otherwise: K names only its input arguments and every argument
 *     without a default is in K (none: K is empty).
 * When none matches, a POST may still go to an overload with one unnamed
 * json/jsonb argument, which takes the whole body. One candidate is the
 * answer; several are 300 PGRST203; none is 404 PGRST202 with a hint (the
 * arguments of an overload of the same name, else the closest function
 * name of the schema). A body that is no object can only reach a whole-body
 * argument (400 PGRST102 otherwise). */
#include "rest/plan/plan_rpc.h"

#include "core/sbuf.h"

#include <stdlib.h>
#include <string.h>

bool rest_func_arg_is_input(const rest_func_arg *arg)
{
    return arg->mode == 'i' || arg->mode == 'b' || arg->mode == 'v';
}

static bool is_json_type(const char *type)
{
    return strcmp(type, "pg_catalog.json") == 0 || strcmp(type, "pg_catalog.jsonb") == 0;
}

/* The only input argument of f, or NULL when it has none or several. */
static const rest_func_arg *single_input(const rest_function *f)
{
    const rest_func_arg *found = NULL;
    for (size_t i = 0; i < f->arg_count; i++) {
        if (!rest_func_arg_is_input(&f->args[i]))
            continue;
        if (found)
            return NULL;
        found = &f->args[i];
    }
    return found;
}

static bool has_key(const rest_rpc_args *args, const char *name)
{
    for (size_t i = 0; i < args->key_count; i++)
        if (strcmp(args->keys[i], name) == 0)
            return true;
    return false;
}

static bool is_input_named(const rest_function *f, const char *name)
{
    for (size_t i = 0; i < f->arg_count; i++)
        if (rest_func_arg_is_input(&f->args[i]) && strcmp(f->args[i].name, name) == 0)
            return true;
    return false;
}

static bool matches_keys(const rest_function *f, const rest_rpc_args *args)
{
    for (size_t i = 0; i < args->key_count; i++)
        if (!is_input_named(f, args->keys[i]))
            return false;
    for (size_t i = 0; i < f->arg_count; i++) {
        const rest_func_arg *a = &f->args[i];
        if (rest_func_arg_is_input(a) && !a->has_default && !has_key(args, a->name))
            return false;
    }
    return true;
}

static bool matches(const rest_function *f, const rest_rpc_args *args, bool single_object)
{
    if (single_object) {
        const rest_func_arg *only = single_input(f);
        return only && is_json_type(only->type);
    }
    return args->is_object && matches_keys(f, args);
}

/* One unnamed json/jsonb argument, reachable with a POST body. */
static bool takes_whole_body(const rest_function *f, const rest_rpc_args *args)
{
    const rest_func_arg *only = single_input(f);
    return args->payload && only && !only->name[0] && is_json_type(only->type);
}

/* ---- errors -------------------------------------------------------------- */

/* "a, b" of the keys, sorted (PostgREST lists them as a set). */
static int compare_strings(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static const char *key_list(arena *a, const rest_rpc_args *args)
{
    const char **keys = arena_alloc(a, (args->key_count + 1) * sizeof(char *));
    if (args->key_count)
        memcpy(keys, args->keys, args->key_count * sizeof(char *));
    qsort(keys, args->key_count, sizeof(char *), compare_strings);
    sbuf b;
    sbuf_init(&b, a, 64);
    for (size_t i = 0; i < args->key_count; i++)
        sbuf_printf(&b, "%s%s", i ? ", " : "", keys[i]);
    return b.data;
}

/* "a, b" of f's input argument names. */
static const char *input_names(arena *a, const rest_function *f)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    for (size_t i = 0; i < f->arg_count; i++)
        if (rest_func_arg_is_input(&f->args[i]))
            sbuf_printf(&b, "%s%s", b.len ? ", " : "", f->args[i].name);
    return b.data;
}

static size_t edit_distance(const char *x, const char *y)
{
    size_t n = strlen(y), row[65];
    if (n > 64 || strlen(x) > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; x[i - 1]; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t best = diagonal + (x[i - 1] != y[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diagonal = row[j];
            row[j] = best;
        }
    }
    return row[n];
}

/* The function of schema whose name is closest to name, if close at all. */
static const rest_function *closest(const rest_catalog *cat, const char *schema, const char *name)
{
    const rest_function *best = NULL;
    size_t best_distance = strlen(name) / 3 + 1;
    for (size_t i = 0; i < cat->function_count; i++) {
        const rest_function *f = &cat->functions[i];
        if (strcmp(f->schema, schema) != 0)
            continue;
        size_t d = edit_distance(name, f->name);
        if (d <= best_distance && (!best || d < best_distance)) {
            best = f;
            best_distance = d;
        }
    }
    return best;
}

/* One lookup: the request's names and arguments and the overloads found. */
typedef struct lookup {
    arena *a;
    const rest_catalog *cat;
    const char *schema, *name;
    const rest_rpc_args *args;
    bool single_object;
    const rest_function *overloads;
    size_t count;
} lookup;

/* How well an overload fits the keys given, compared in this order: more
 * keys among its arguments, having arguments at all, fewer required
 * arguments missing. */
typedef struct fit {
    size_t hits;
    bool has_inputs;
    size_t missing;
} fit;

static fit fit_of(const rest_function *f, const rest_rpc_args *args)
{
    fit r = {0, false, 0};
    for (size_t k = 0; k < args->key_count; k++)
        r.hits += is_input_named(f, args->keys[k]);
    for (size_t i = 0; i < f->arg_count; i++) {
        const rest_func_arg *a = &f->args[i];
        if (!rest_func_arg_is_input(a))
            continue;
        r.has_inputs = true;
        r.missing += !a->has_default && !has_key(args, a->name);
    }
    return r;
}

static bool fits_better(fit x, fit y)
{
    if (x.hits != y.hits)
        return x.hits > y.hits;
    if (x.has_inputs != y.has_inputs)
        return x.has_inputs;
    return x.missing < y.missing;
}

/* The overload that fits the keys given best (the first of equals). */
static const rest_function *nearest_overload(const lookup *l)
{
    const rest_function *best = &l->overloads[0];
    fit best_fit = fit_of(best, l->args);
    for (size_t i = 1; i < l->count; i++) {
        fit f = fit_of(&l->overloads[i], l->args);
        if (fits_better(f, best_fit)) {
            best = &l->overloads[i];
            best_fit = f;
        }
    }
    return best;
}

static const char *not_found_hint(const lookup *l)
{
    if (l->count)
        return arena_printf(l->a, "Perhaps you meant to call the function %s.%s(%s)", l->schema,
                            l->name, input_names(l->a, nearest_overload(l)));
    const rest_function *near = closest(l->cat, l->schema, l->name);
    return near ? arena_printf(l->a, "Perhaps you meant to call the function %s.%s", l->schema,
                               near->name)
                : NULL;
}

static const char *searched_for(const lookup *l)
{
    if (l->single_object)
        return "with a single json/jsonb parameter";
    size_t n = l->args->key_count;
    const char *with = n == 0 ? "without parameters"
                              : arena_printf(l->a, "with parameter%s %s", n > 1 ? "s" : "",
                                             key_list(l->a, l->args));
    return l->args->payload
               ? arena_printf(l->a, "%s or with a single unnamed json/jsonb parameter", with)
               : with;
}

static bool fail_not_found(const lookup *l, rest_error *err)
{
    const char *details = arena_printf(
        l->a, "Searched for the function %s.%s %s, but no matches were found in the schema cache.",
        l->schema, l->name, searched_for(l));
    const char *signature =
        l->single_object ? "" : arena_printf(l->a, "(%s)", key_list(l->a, l->args));
    return rest_error_set(err, l->a, 404, "PGRST202", details, not_found_hint(l),
                          "Could not find the function %s.%s%s in the schema cache", l->schema,
                          l->name, signature);
}

static bool fail_not_object(arena *a, const char *schema, const char *name, rest_error *err)
{
    return rest_error_set(err, a, 400, "PGRST102", NULL,
                          "Send the arguments as a JSON object of argument names and values.",
                          "The arguments of %s.%s must be a JSON object", schema, name);
}

/* "public.f(a => integer, b => text)" */
static const char *signature(arena *a, const rest_function *f)
{
    sbuf b;
    sbuf_init(&b, a, 64);
    sbuf_printf(&b, "%s.%s(", f->schema, f->name);
    bool first = true;
    for (size_t i = 0; i < f->arg_count; i++) {
        if (!rest_func_arg_is_input(&f->args[i]))
            continue;
        sbuf_printf(&b, "%s%s => %s", first ? "" : ", ", f->args[i].name, f->args[i].type_name);
        first = false;
    }
    sbuf_putc(&b, ')');
    return b.data;
}

static bool fail_ambiguous(arena *a, const rest_function **found, size_t n, rest_error *err)
{
    sbuf b;
    sbuf_init(&b, a, 128);
    for (size_t i = 0; i < n; i++)
        sbuf_printf(&b, "%s%s", i ? ", " : "", signature(a, found[i]));
    return rest_error_set(err, a, 300, "PGRST203", NULL,
                          "Try renaming the parameters or the function itself in the database so "
                          "function overloading can be resolved",
                          "Could not choose the best candidate function between: %s", b.data);
}

/* ---- matching ------------------------------------------------------------ */

/* ---- matching ------------------------------------------------------------ */

const rest_function *rest_rpc_match(arena *a, const rest_catalog *cat, const char *schema,
                                    const char *name, const rest_rpc_args *args, bool single_object,
                                    bool *whole, rest_error *err)
{
    lookup l = {a, cat, schema, name, args, single_object, NULL, 0};
    l.overloads = rest_catalog_functions(cat, schema, name, &l.count);
    size_t matched = 0, fallback = 0;
    const rest_function **m = arena_alloc(a, (l.count + 1) * sizeof(*m));
    const rest_function **f = arena_alloc(a, (l.count + 1) * sizeof(*f));
    for (size_t i = 0; i < l.count; i++) {
        if (matches(&l.overloads[i], args, single_object))
            m[matched++] = &l.overloads[i];
        else if (takes_whole_body(&l.overloads[i], args))
            f[fallback++] = &l.overloads[i];
    }
    *whole = single_object || matched == 0;
    if (matched == 1 || (matched == 0 && fallback == 1))
        return matched ? m[0] : f[0];
    if (matched > 1 || fallback > 1) {
        fail_ambiguous(a, matched ? m : f, matched ? matched : fallback, err);
        return NULL;
    }
    if (!args->is_object && !single_object && l.count > 0)
        fail_not_object(a, schema, name, err);
    else
        fail_not_found(&l, err);
    return NULL;
}
