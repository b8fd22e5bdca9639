/* Loading the schema catalog from pg_catalog; see catalog_load.h.
 * Six statements in one pipeline: relations with their columns, unique
 * keys, foreign keys, view-column sources, functions, function arguments
 * (the exposed schemas are $1; keys, foreign keys and view sources are read
 * for every non-system schema, since exposed views may show private
 * tables), then the catalog version, last so that a database without
 * migration 0004 still loads (version 0). */
#include "rest/catalog/catalog_load.h"

#include "db/quote.h"
#include "rest/catalog/catalog_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_SCHEMA(ns) ns ".nspname <> 'information_schema' and " ns ".nspname !~ '^pg_'"
#define CAST_TARGET(ns, t) "quote_ident(" ns ".nspname) || '.' || quote_ident(" t ".typname)"

static const char RELATIONS_SQL[] =
    "select c.oid::int8, n.nspname, c.relname, c.relkind::text, a.attnum, a.attname, " CAST_TARGET(
        "tn",
        "t") ", "
             "case when t.typarray <> 0 then " CAST_TARGET(
                 "tn",
                 "at") " end, "
                       "pg_catalog.format_type(a.atttypid, a.atttypmod), "
                       "coalesce(bt.typcategory, t.typcategory)::text, not a.attnotnull, "
                       "a.atthasdef or a.attidentity <> '' or a.attgenerated <> '', "
                       "case when a.attgenerated = '' then pg_catalog.pg_get_expr(d.adbin, "
                       "d.adrelid) end "
                       "from pg_catalog.pg_class c "
                       "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
                       "left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
                       "and not a.attisdropped "
                       "left join pg_catalog.pg_type t on t.oid = a.atttypid "
                       "left join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace "
                       "left join pg_catalog.pg_type at on at.oid = t.typarray "
                       "left join pg_catalog.pg_type bt on bt.oid = t.typbasetype and t.typtype = "
                       "'d' "
                       "left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = "
                       "a.attnum "
                       "where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', "
                       "'f') "
                       "and not c.relispartition "
                       "order by c.oid, a.attnum";

static const char KEYS_SQL[] =
    "select i.indrelid::int8, i.indisprimary, pg_catalog.array_to_string(i.indkey::int2[], ',') "
    "from pg_catalog.pg_index i "
    "join pg_catalog.pg_class c on c.oid = i.indrelid "
    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
    "where i.indisunique and i.indisvalid and i.indexprs is null and i.indpred is null "
    "and " USER_SCHEMA("n") " order by i.indrelid, not i.indisprimary, i.indexrelid";

static const char FKS_SQL[] =
    "select k.conname, k.conrelid::int8, pg_catalog.array_to_string(k.conkey, ','), "
    "k.confrelid::int8, pg_catalog.array_to_string(k.confkey, ',') "
    "from pg_catalog.pg_constraint k "
    "join pg_catalog.pg_namespace n on n.oid = k.connamespace "
    "where k.contype = 'f' and k.conparentid = 0 and " USER_SCHEMA(
        "n") " order by k.conname, k.oid";

/* Each target entry of a view's query tree names the table column it
 * shows (resorigtbl/resorigcol); entries of subqueries are told apart by
 * requiring the entry's name to be the view column's name. */
static const char VIEW_COLUMNS_SQL[] =
    "select distinct on (r.ev_class, m[1]::int) r.ev_class::int8, m[1]::int, m[3]::int8, "
    "m[4]::int "
    "from pg_catalog.pg_rewrite r "
    "join pg_catalog.pg_class c on c.oid = r.ev_class "
    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
    "cross join lateral pg_catalog.regexp_matches(r.ev_action::text, "
    "':resno (\\d+) :resname ((?:[^ \\\\]|\\\\.)*) :ressortgroupref \\d+ "
    ":resorigtbl (\\d+) :resorigcol (\\d+)', 'g') as m "
    "join pg_catalog.pg_attribute a on a.attrelid = r.ev_class and a.attnum = m[1]::int "
    "where c.relkind in ('v', 'm') and r.rulename = '_RETURN' and m[3] <> '0' and " USER_SCHEMA(
        "n") " and a.attname = pg_catalog.regexp_replace(m[2], '\\\\(.)', '\\1', 'g') "
             "order by r.ev_class, m[1]::int";

static const char FUNCTIONS_SQL[] =
    "select p.oid::int8, n.nspname, p.proname, p.proretset, p.provolatile::text, " CAST_TARGET(
        "rn", "rt") ", pg_catalog.format_type(p.prorettype, null), "
                    "rt.typrelid::int8, rt.typtype = 'c' or rt.oid = "
                    "'pg_catalog.record'::pg_catalog.regtype "
                    "from pg_catalog.pg_proc p "
                    "join pg_catalog.pg_namespace n on n.oid = p.pronamespace "
                    "join pg_catalog.pg_type rt on rt.oid = p.prorettype "
                    "join pg_catalog.pg_namespace rn on rn.oid = rt.typnamespace "
                    "where n.nspname = any($1::text[]) and p.prokind = 'f' "
                    "order by p.oid";

/* An input argument has a default when it is among the last
 * pronargdefaults inputs. */
static const char FUNCTION_ARGS_SQL[] =
    "select oid, name, cast_type, type_name, mode, "
    "mode in ('i', 'b', 'v') and inputs_from_here <= defaults from ("
    "select p.oid::int8 as oid, coalesce(p.proargnames[a.ord], '') as name, " CAST_TARGET(
        "tn", "t") " as cast_type, pg_catalog.format_type(a.typ, null) as type_name, "
                   "coalesce(p.proargmodes[a.ord], 'i')::text as mode, p.pronargdefaults as "
                   "defaults, a.ord, "
                   "count(*) filter (where coalesce(p.proargmodes[a.ord], 'i') in ('i', 'b', 'v')) "
                   "over (partition by p.oid order by a.ord rows between current row and unbounded "
                   "following) "
                   "as inputs_from_here "
                   "from pg_catalog.pg_proc p "
                   "join pg_catalog.pg_namespace n on n.oid = p.pronamespace "
                   "cross join lateral unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) "
                   "with ordinality as a(typ, ord) "
                   "join pg_catalog.pg_type t on t.oid = a.typ "
                   "join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace "
                   "where n.nspname = any($1::text[]) and p.prokind = 'f') as args "
                   "order by oid, ord";

static const char VERSION_SQL[] = "select version from pgstack.catalog_version";

#define MAX_KEY_COLUMNS 64

static const char *text(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static unsigned long long number(PGresult *r, int row, int col)
{
    return strtoull(PQgetvalue(r, row, col), NULL, 10);
}

static bool flag(PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0] == 't';
}

static char letter(PGresult *r, int row, int col)
{
    return PQgetvalue(r, row, col)[0];
}

/* "1,3" -> {1, 3}; the count, or 0 when it does not fit. */
static size_t attnum_list(const char *s, int *out)
{
    size_t n = 0;
    while (*s && n < MAX_KEY_COLUMNS) {
        char *end;
        out[n++] = (int)strtol(s, &end, 10);
        if (end == s)
            return 0;
        s = *end == ',' ? end + 1 : end;
    }
    return *s ? 0 : n;
}

static rest_relkind relkind(char k)
{
    switch (k) {
    case 'v':
        return REST_REL_VIEW;
    case 'm':
        return REST_REL_MATERIALIZED_VIEW;
    case 'f':
        return REST_REL_FOREIGN_TABLE;
    default:
        return REST_REL_TABLE;
    }
}

static void feed_relations(catalog_builder *b, PGresult *r)
{
    unsigned last = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        unsigned oid = (unsigned)number(r, i, 0);
        if (oid != last)
            rest_catalog_add_relation(b, oid, text(r, i, 1), text(r, i, 2),
                                      relkind(letter(r, i, 3)));
        last = oid;
        if (PQgetisnull(r, i, 4))
            continue; /* a relation without columns */
        rest_column col = {
            .attnum = (int)number(r, i, 4),
            .name = text(r, i, 5),
            .type = text(r, i, 6),
            .array_type = text(r, i, 7),
            .type_name = text(r, i, 8),
            .category = letter(r, i, 9),
            .nullable = flag(r, i, 10),
            .has_default = flag(r, i, 11),
            .default_expr = text(r, i, 12),
        };
        rest_catalog_add_column(b, oid, &col);
    }
}

static void feed_keys(catalog_builder *b, PGresult *r)
{
    int attnums[MAX_KEY_COLUMNS];
    for (int i = 0; i < PQntuples(r); i++) {
        size_t n = attnum_list(PQgetvalue(r, i, 2), attnums);
        if (n)
            rest_catalog_add_key(b, (unsigned)number(r, i, 0), flag(r, i, 1), attnums, n);
    }
}

static void feed_fks(catalog_builder *b, PGresult *r)
{
    int from[MAX_KEY_COLUMNS], to[MAX_KEY_COLUMNS];
    for (int i = 0; i < PQntuples(r); i++) {
        size_t n = attnum_list(PQgetvalue(r, i, 2), from);
        if (n && attnum_list(PQgetvalue(r, i, 4), to) == n)
            rest_catalog_add_fk(b, PQgetvalue(r, i, 0), (unsigned)number(r, i, 1), from,
                                (unsigned)number(r, i, 3), to, n);
    }
}

static void feed_view_columns(catalog_builder *b, PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++)
        rest_catalog_add_view_column(b, (unsigned)number(r, i, 0), (int)number(r, i, 1),
                                     (unsigned)number(r, i, 2), (int)number(r, i, 3));
}

static void feed_functions(catalog_builder *b, PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++) {
        rest_function f = {
            .oid = (unsigned)number(r, i, 0),
            .schema = text(r, i, 1),
            .name = text(r, i, 2),
            .returns_set = flag(r, i, 3),
            .volatility = letter(r, i, 4),
            .return_type = text(r, i, 5),
            .return_type_name = text(r, i, 6),
            .return_rel_oid = (unsigned)number(r, i, 7),
            .return_composite = flag(r, i, 8),
        };
        rest_catalog_add_function(b, &f);
    }
}

static void feed_function_args(catalog_builder *b, PGresult *r)
{
    for (int i = 0; i < PQntuples(r); i++) {
        rest_func_arg arg = {
            .name = text(r, i, 1),
            .type = text(r, i, 2),
            .type_name = text(r, i, 3),
            .mode = letter(r, i, 4),
            .has_default = flag(r, i, 5),
        };
        rest_catalog_add_function_arg(b, (unsigned)number(r, i, 0), &arg);
    }
}

static bool all_tuples(db_txn *t, const int *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PGresult *r = db_txn_result(t, q[i]);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
            return false;
    }
    return true;
}

static void describe_failure(db_txn *t, char *why, size_t whylen)
{
    PGresult *err = db_txn_error(t, NULL);
    const char *msg = err ? PQresultErrorField(err, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    snprintf(why, whylen, "%s", msg ? msg : "catalog query failed");
}

rest_catalog *rest_catalog_load(db_conn *conn, const char *const *schemas, size_t schema_count,
                                long timeout_ms, db_status *st, char *why, size_t whylen)
{
    arena *a = arena_new(16 * 1024);
    const char **params = arena_alloc(a, sizeof(char *));
    params[0] = db_array_literal(a, schemas, schema_count);
    db_txn *t = db_txn_new(a, conn, NULL);
    int q[6] = {
        db_txn_add(t, RELATIONS_SQL, 1, params), db_txn_add(t, KEYS_SQL, 0, NULL),
        db_txn_add(t, FKS_SQL, 0, NULL),         db_txn_add(t, VIEW_COLUMNS_SQL, 0, NULL),
        db_txn_add(t, FUNCTIONS_SQL, 1, params), db_txn_add(t, FUNCTION_ARGS_SQL, 1, params),
    };
    int version_q = db_txn_add(t, VERSION_SQL, 0, NULL);
    *st = db_txn_run(t, timeout_ms);
    int failed = -1;
    db_txn_error(t, &failed);
    if (*st == DB_UNAVAILABLE || (*st == DB_QUERY_ERROR && failed != version_q) ||
        !all_tuples(t, q, 6)) {
        if (*st == DB_QUERY_ERROR)
            describe_failure(t, why, whylen);
        else if (*st == DB_OK)
            snprintf(why, whylen, "catalog query returned no rows");
        *st = *st == DB_OK ? DB_QUERY_ERROR : *st;
        arena_free(a);
        return NULL;
    }
    *st = DB_OK;
    catalog_builder *b = rest_catalog_builder_new();
    PGresult *version = db_txn_result(t, version_q);
    if (version && PQresultStatus(version) == PGRES_TUPLES_OK && PQntuples(version) == 1)
        rest_catalog_set_version(b, (long long)number(version, 0, 0));
    feed_relations(b, db_txn_result(t, q[0]));
    feed_keys(b, db_txn_result(t, q[1]));
    feed_fks(b, db_txn_result(t, q[2]));
    feed_view_columns(b, db_txn_result(t, q[3]));
    feed_functions(b, db_txn_result(t, q[4]));
    feed_function_args(b, db_txn_result(t, q[5]));
    arena_free(a);
    return rest_catalog_build_finish(b);
}
