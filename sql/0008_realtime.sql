-- pgstack 0008: live queries (schema pgr), in PL/pgSQL so they run on any
-- PostgreSQL, managed ones included (no C extension, no logical decoding).
--
-- pgr.subscribe(query_id, query, mode, audience) registers a query. The
-- tables it reads (found with EXPLAIN) get a statement-level trigger; after
-- every INSERT/UPDATE/DELETE/TRUNCATE statement on one of them, each live
-- query reading that table is evaluated again (as the owner of pgr, so all
-- rows; the realtime daemon narrows them to each subscriber's RLS) and
-- compared with its stored snapshot. Mode 'delta' sends one NOTIFY on
-- channel pgr per statement that changed the result:
--   {"query_id": ..., "seq": n, "inserted": [...], "deleted": [...]}
-- or, when that text is over the NOTIFY limit (8000 - length('pgr') - 100
-- = 7897 bytes) or the result's columns changed,
--   {"type": "overflow", "query_id": ..., "seq": n, "fetch": true};
-- mode 'notify' sends {"type": "invalidated", "query_id": ..., "seq": n}
-- after every statement on a table the query reads. seq counts per query
-- from 1 without gaps (the subscription row is locked while it is bumped,
-- so seq follows commit order). Changes to the registry itself are
-- announced on channel pgr_meta.

create schema if not exists pgr;

create table if not exists pgr.subscriptions (
  query_id text primary key
    check (query_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$'),
  query text not null,
  mode text not null default 'delta' check (mode in ('delta', 'notify')),
  audience jsonb check (audience is null or jsonb_typeof(audience) = 'object'),
  seq bigint not null default 0,
  columns text[],
  snapshot jsonb,
  tables regclass[] not null default '{}',
  created_at timestamptz not null default now()
);

-- The daemon (logged in as authenticator) reads the registry; nobody else.
revoke all on pgr.subscriptions from public;
grant usage on schema pgr to authenticator, anon, authenticated, service_role;
grant select (query_id, mode, audience, seq) on pgr.subscriptions to authenticator;

-- The tables a query reads: every relation its plan scans.
create or replace function pgr._tables_of(p_query text) returns regclass[]
language plpgsql volatile
as $$
declare
  plan jsonb;
begin
  execute 'explain (format json, costs off, verbose) ' || p_query into plan;
  return coalesce((
    select array_agg(distinct format('%I.%I', n ->> 'Schema', n ->> 'Relation Name')::regclass)
    from jsonb_path_query(plan, 'strict $.**') as n
    where jsonb_typeof(n) = 'object' and n ? 'Relation Name'), '{}');
end
$$;

-- The query's current result as a jsonb array of row objects, and its
-- column names.
create or replace function pgr._evaluate(p_query text, out rows jsonb, out cols text[])
language plpgsql volatile
as $$
begin
  execute format('select coalesce(jsonb_agg(to_jsonb(q)), ''[]'') from (%s) q', p_query)
    into rows;
  -- one all-null row (a left join on false) names every column, even for
  -- an empty result; jsonb keeps the names sorted, which is enough to
  -- notice a changed layout
  execute format('select array(select jsonb_object_keys(to_jsonb(r))) from
                  (select q.* from (select 1) v left join (%s) q on false) r', p_query)
    into cols;
end
$$;

create or replace function pgr._notify(p_payload jsonb) returns void
language plpgsql volatile
as $$
declare
  text_payload text := p_payload::text;
begin
  if octet_length(text_payload) > 8000 - length('pgr') - 100 then
    text_payload := jsonb_build_object('type', 'overflow', 'query_id', p_payload ->> 'query_id',
                                       'seq', (p_payload ->> 'seq')::bigint, 'fetch', true)::text;
  end if;
  perform pg_notify('pgr', text_payload);
end
$$;

-- Re-evaluates one live query after a statement on a table it reads.
create or replace function pgr._refresh(p_query_id text) returns void
language plpgsql volatile
as $$
declare
  sub pgr.subscriptions;
  now_rows jsonb;
  now_cols text[];
  ins jsonb;
  del jsonb;
begin
  select * into sub from pgr.subscriptions where query_id = p_query_id for update;
  if not found then
    return;
  end if;
  if sub.mode = 'notify' then
    update pgr.subscriptions set seq = seq + 1 where query_id = p_query_id returning seq into sub.seq;
    perform pgr._notify(jsonb_build_object('type', 'invalidated', 'query_id', p_query_id,
                                           'seq', sub.seq));
    return;
  end if;
  select rows, cols into now_rows, now_cols from pgr._evaluate(sub.query);
  if sub.columns is distinct from now_cols then
    update pgr.subscriptions set seq = seq + 1, snapshot = now_rows, columns = now_cols
      where query_id = p_query_id returning seq into sub.seq;
    perform pgr._notify(jsonb_build_object('type', 'overflow', 'query_id', p_query_id,
                                           'seq', sub.seq, 'fetch', true));
    return;
  end if;
  select coalesce(jsonb_agg(e), '[]') into ins from (
    select e from jsonb_array_elements(now_rows) e
    except all
    select e from jsonb_array_elements(sub.snapshot) e) s;
  select coalesce(jsonb_agg(e), '[]') into del from (
    select e from jsonb_array_elements(sub.snapshot) e
    except all
    select e from jsonb_array_elements(now_rows) e) s;
  if ins = '[]' and del = '[]' then
    return;
  end if;
  update pgr.subscriptions set seq = seq + 1, snapshot = now_rows
    where query_id = p_query_id returning seq into sub.seq;
  perform pgr._notify(jsonb_build_object('query_id', p_query_id, 'seq', sub.seq,
                                         'inserted', ins, 'deleted', del));
end
$$;

-- The statement trigger on every table a live query reads.
create or replace function pgr._on_change() returns trigger
language plpgsql security definer set search_path = pg_catalog, pgr
as $$
declare
  qid text;
begin
  for qid in
    select query_id from pgr.subscriptions where tg_relid::regclass = any (tables)
    order by query_id
  loop
    perform pgr._refresh(qid);
  end loop;
  return null;
end
$$;

create or replace function pgr._watch(p_table regclass) returns void
language plpgsql volatile
as $$
begin
  if not exists (select from pg_trigger where tgrelid = p_table and tgname = 'pgr_live_queries') then
    execute format('create trigger pgr_live_queries after insert or update or delete or truncate
                    on %s for each statement execute function pgr._on_change()', p_table);
  end if;
end
$$;

create or replace function pgr._unwatch_unused() returns void
language plpgsql volatile
as $$
declare
  t regclass;
begin
  for t in select tgrelid::regclass from pg_trigger where tgname = 'pgr_live_queries' loop
    if not exists (select from pgr.subscriptions where t = any (tables)) then
      execute format('drop trigger pgr_live_queries on %s', t);
    end if;
  end loop;
end
$$;

-- Registers (or replaces) a live query.
create or replace function pgr.subscribe(query_id text, query text, mode text default 'delta',
                                         audience jsonb default null) returns void
language plpgsql volatile
as $$
declare
  tabs regclass[];
  now_rows jsonb;
  now_cols text[];
  t regclass;
begin
  if mode not in ('delta', 'notify') then
    raise exception 'pgr.subscribe: mode must be delta or notify, not %', mode;
  end if;
  tabs := pgr._tables_of(query);
  if cardinality(tabs) = 0 then
    raise exception 'pgr.subscribe: the query reads no table, so it can never change';
  end if;
  select rows, cols into now_rows, now_cols from pgr._evaluate(query);
  insert into pgr.subscriptions as s (query_id, query, mode, audience, columns, snapshot, tables)
    values (subscribe.query_id, subscribe.query, subscribe.mode, subscribe.audience, now_cols,
            now_rows, tabs)
    on conflict on constraint subscriptions_pkey do update
      set query = excluded.query, mode = excluded.mode, audience = excluded.audience,
          columns = excluded.columns, snapshot = excluded.snapshot, tables = excluded.tables;
  foreach t in array tabs loop
    perform pgr._watch(t);
  end loop;
  perform pgr._unwatch_unused();
  perform pg_notify('pgr_meta', subscribe.query_id);
end
$$;

create or replace function pgr.unsubscribe(query_id text) returns void
language plpgsql volatile
as $$
begin
  delete from pgr.subscriptions s where s.query_id = unsubscribe.query_id;
  perform pgr._unwatch_unused();
  perform pg_notify('pgr_meta', unsubscribe.query_id);
end
$$;

-- The query of a registered live query (for pgr.visible_for).
create or replace function pgr._query_of(p_query_id text) returns text
language sql stable security definer set search_path = pg_catalog, pgr
as $$
  select query from pgr.subscriptions where query_id = p_query_id
$$;

-- Which of the given result rows the caller may see: the live query runs
-- again as p_role with p_claims (row-level security applies) and only rows
-- it returns are kept. The daemon calls this once per distinct claim set.
-- (Deleted rows cannot be checked this way, they are gone: the daemon sends
-- subscribers whose rows are checked an overflow instead of them.)
create or replace function pgr.visible_for(p_role text, p_claims text, p_query_id text,
                                           p_rows jsonb) returns jsonb
language plpgsql volatile
as $$
declare
  q text := pgr._query_of(p_query_id);
  visible jsonb;
begin
  if p_role not in ('anon', 'authenticated', 'service_role') then
    raise exception 'pgr.visible_for: unknown role %', p_role;
  end if;
  perform set_config('role', p_role, true);
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('request.jwt.claim.sub', coalesce(p_claims::jsonb ->> 'sub', ''), true);
  if q is null then
    return '[]';
  end if;
  execute format('select coalesce(jsonb_agg(e), ''[]'') from jsonb_array_elements($1) e
                  where e in (select to_jsonb(q) from (%s) q)', q)
    into visible using p_rows;
  return visible;
end
$$;

revoke all on function pgr.visible_for(text, text, text, jsonb) from public;
grant execute on function pgr.visible_for(text, text, text, jsonb) to authenticator;
revoke all on function pgr._query_of(text) from public;
grant execute on function pgr._query_of(text) to anon, authenticated, service_role, authenticator;
revoke all on function pgr.subscribe(text, text, text, jsonb), pgr.unsubscribe(text) from public;
