-- pgstack 0012: postgres_changes (Supabase Realtime's database changes) in
-- PL/pgSQL, so capture works on any PostgreSQL, managed ones included (no
-- logical decoding, no C extension).
--
-- Publication: supabase_realtime, which the project creates (as the spec's
-- pitfalls page says: `create publication supabase_realtime for table
-- public.t`; it is not created here, so that statement works). Every
-- ordinary table in it gets the capture triggers; the event trigger
-- pgchanges_publication keeps them in step with the publication
-- (CREATE/ALTER/DROP PUBLICATION, CREATE/ALTER TABLE).
--
-- Capture: statement triggers (a row trigger on partitions) write the new
-- and old rows (as jsonb) to pgchanges.changes, and mark the transaction in
-- pgchanges.pending. At commit, a deferred constraint trigger on that mark
-- stamps the transaction once: it takes a transaction advisory lock (so committing
-- writers of published tables pass one at a time), draws the next value of
-- pgchanges.commit_seq, records it with the commit time in
-- pgchanges.commits and NOTIFYs pgchanges. The lock is held until the
-- commit is visible, so commit_seq follows commit order, and a reader that
-- reads "commit_seq after the last one I delivered" never skips a
-- transaction that commits later with a smaller number.
--
-- The daemon: pgchanges.attach registers it as a reader (its cursor in
-- pgchanges.readers), pgchanges.read returns what committed after the
-- cursor, pgchanges.visible_for narrows a batch to what one role with one
-- set of claims may see (row-level security on the captured row itself,
-- column privileges), pgchanges.binding_status says why a binding cannot be
-- served, and pgchanges.advance moves the cursor and deletes what every
-- reader has delivered.

create schema if not exists pgchanges;
grant usage on schema pgchanges to authenticator;

create sequence if not exists pgchanges.commit_seq;

create table if not exists pgchanges.changes (
  id bigserial primary key,
  txid xid8 not null default pg_current_xact_id(),
  relid oid not null,
  schema_name name not null,
  table_name name not null,
  type text not null check (type in ('INSERT', 'UPDATE', 'DELETE')),
  record jsonb,
  old_record jsonb
);
create index if not exists changes_txid_id on pgchanges.changes (txid, id);

create table if not exists pgchanges.commits (
  txid xid8 primary key,
  seq bigint not null unique,
  committed_at timestamptz not null
);

create table if not exists pgchanges.readers (
  reader text primary key,
  last_seq bigint not null,
  seen_at timestamptz not null default now()
);

revoke all on pgchanges.changes, pgchanges.commits, pgchanges.readers from public;
-- visible_for reads the batch before it takes the subscriber's role
grant select on pgchanges.changes to authenticator;

-- A transaction that wrote changes: one row, so the commit stamp below
-- fires once per transaction, not once per changed row.
create table if not exists pgchanges.pending (txid xid8 primary key);
revoke all on pgchanges.pending from public;

-- The statement triggers on every published table (one per event, as
-- transition tables require): the statement's rows, in the order it
-- changed them, into pgchanges.changes (whole rows as alias.*, so that a
-- column named like the alias cannot stand in for the row). An UPDATE's
-- old and new rows are paired by position in the two transition tables
-- (PostgreSQL appends both for each row as it updates it).
create or replace function pgchanges._capture() returns trigger
language plpgsql security definer set search_path = pg_catalog
as $$
begin
  if tg_op = 'INSERT' then
    insert into pgchanges.changes (relid, schema_name, table_name, type, record)
      select tg_relid, tg_table_schema, tg_table_name, 'INSERT', to_jsonb(n.*) from pgchanges_new n;
  elsif tg_op = 'DELETE' then
    insert into pgchanges.changes (relid, schema_name, table_name, type, old_record)
      select tg_relid, tg_table_schema, tg_table_name, 'DELETE', to_jsonb(o.*) from pgchanges_old o;
  else
    insert into pgchanges.changes (relid, schema_name, table_name, type, record, old_record)
      select tg_relid, tg_table_schema, tg_table_name, 'UPDATE', n.r, o.r
      from (select row_number() over () as pos, to_jsonb(t.*) as r from pgchanges_new t) n
      join (select row_number() over () as pos, to_jsonb(t.*) as r from pgchanges_old t) o
        using (pos)
      order by pos;
  end if;
  if found and current_setting('pgchanges.pending', true) is distinct from
               pg_current_xact_id()::text then
    perform set_config('pgchanges.pending', pg_current_xact_id()::text, true);
    insert into pgchanges.pending values (pg_current_xact_id()) on conflict do nothing;
  end if;
  return null;
end
$$;

-- The row trigger on published partitions and inheritance children, where
-- statement triggers would miss the statements naming the parent.
create or replace function pgchanges._capture_row() returns trigger
language plpgsql security definer set search_path = pg_catalog
as $$
begin
  insert into pgchanges.changes (relid, schema_name, table_name, type, record, old_record)
  values (tg_relid, tg_table_schema, tg_table_name, tg_op,
          case when tg_op <> 'DELETE' then to_jsonb(new) end,
          case when tg_op <> 'INSERT' then to_jsonb(old) end);
  if current_setting('pgchanges.pending', true) is distinct from pg_current_xact_id()::text then
    perform set_config('pgchanges.pending', pg_current_xact_id()::text, true);
    insert into pgchanges.pending values (pg_current_xact_id()) on conflict do nothing;
  end if;
  return null;
end
$$;

-- At commit, once per transaction: its place in commit order.
create or replace function pgchanges._stamp() returns trigger
language plpgsql security definer set search_path = pg_catalog
as $$
begin
  perform pg_advisory_xact_lock(hashtext('pgchanges.commit_order'));
  insert into pgchanges.commits (txid, seq, committed_at)
  values (pg_current_xact_id(), nextval('pgchanges.commit_seq'), clock_timestamp());
  delete from pgchanges.pending where txid = pg_current_xact_id();
  perform pg_notify('pgchanges', '');
  return null;
end
$$;

drop trigger if exists pgchanges_stamp on pgchanges.pending;
create constraint trigger pgchanges_stamp after insert on pgchanges.pending
  deferrable initially deferred for each row execute function pgchanges._stamp();

-- The capture triggers a published table needs: the row trigger on
-- partitions and inheritance children, the three statement triggers on the
-- others.
create or replace function pgchanges._wanted_triggers(p_rel oid) returns text[]
language sql stable set search_path = pg_catalog
as $$
  select case when exists (select from pg_inherits where inhrelid = p_rel)
              then array['pgchanges_capture_row']
              else array['pgchanges_capture_insert', 'pgchanges_capture_update',
                         'pgchanges_capture_delete'] end
$$;

-- Puts the capture triggers on every ordinary table of the publication and
-- takes them off the tables that left it.
create or replace function pgchanges.sync() returns void
language plpgsql security definer set search_path = pg_catalog
as $$
declare
  t regclass;
  tg text;
begin
  for t, tg in
    select c.oid::regclass, w.name
    from pg_publication_tables p
    join pg_namespace n on n.nspname = p.schemaname
    join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
    cross join lateral unnest(pgchanges._wanted_triggers(c.oid)) as w(name)
    where p.pubname = 'supabase_realtime' and c.relkind = 'r'
      and n.nspname not in ('pgchanges', 'pgr', 'pg_catalog', 'information_schema')
      and not exists (select from pg_trigger g where g.tgrelid = c.oid and g.tgname = w.name)
  loop
    execute case tg
      when 'pgchanges_capture_row' then
        format('create trigger %I after insert or update or delete on %s for each row
                execute function pgchanges._capture_row()', tg, t)
      when 'pgchanges_capture_insert' then
        format('create trigger %I after insert on %s referencing new table as pgchanges_new
                for each statement execute function pgchanges._capture()', tg, t)
      when 'pgchanges_capture_update' then
        format('create trigger %I after update on %s referencing old table as pgchanges_old
                new table as pgchanges_new for each statement execute function pgchanges._capture()',
               tg, t)
      else
        format('create trigger %I after delete on %s referencing old table as pgchanges_old
                for each statement execute function pgchanges._capture()', tg, t)
      end;
  end loop;
  for t, tg in
    select g.tgrelid::regclass, g.tgname from pg_trigger g
    where g.tgname like 'pgchanges\_capture%'
      and not exists (select from pg_publication_tables p
                      join pg_namespace n on n.nspname = p.schemaname
                      join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
                      where p.pubname = 'supabase_realtime' and c.oid = g.tgrelid
                        and c.relkind = 'r'
                        and g.tgname = any (pgchanges._wanted_triggers(c.oid)))
  loop
    execute format('drop trigger %I on %s', tg, t);
  end loop;
end
$$;

-- Runs as its owner whoever issues the DDL; a failure (say, a table whose
-- triggers the owner may not create) is a warning, never a failed CREATE
-- TABLE: binding_status then tells subscribers the table is not captured.
create or replace function pgchanges._on_ddl() returns event_trigger
language plpgsql security definer set search_path = pg_catalog
as $$
begin
  perform pgchanges.sync();
exception when others then
  raise warning 'pgchanges: the capture triggers could not follow the publication: %', sqlerrm;
end
$$;
revoke all on function pgchanges._on_ddl() from public;

do $$
begin
  drop event trigger if exists pgchanges_publication;
  create event trigger pgchanges_publication on ddl_command_end
    when tag in ('CREATE PUBLICATION', 'ALTER PUBLICATION', 'DROP PUBLICATION',
                 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
    execute function pgchanges._on_ddl();
exception when insufficient_privilege then
  raise warning 'pgstack: event triggers need a superuser; run select pgchanges.sync() after changing the publication supabase_realtime';
end
$$;

select pgchanges.sync();

-- Registers (or re-registers) a daemon (named by host and address, so a
-- restarted daemon takes its predecessor's place); its cursor starts at
-- p_from, or at the last commit when p_from is null. Returns the cursor.
create or replace function pgchanges.attach(p_reader text, p_from bigint) returns bigint
language sql volatile security definer set search_path = pg_catalog
as $$
  insert into pgchanges.readers as r (reader, last_seq)
  values (p_reader, coalesce(p_from, (select max(seq) from pgchanges.commits), 0))
  on conflict (reader) do update set last_seq = excluded.last_seq, seen_at = now()
  returning last_seq
$$;

drop function if exists pgchanges.read(bigint, bigint, int);
-- What committed after (p_seq, p_id), in commit order, without the rows.
create or replace function pgchanges.read(p_seq bigint, p_id bigint, p_limit int)
returns table (seq bigint, id bigint, relid oid, schema_name name, table_name name, type text,
               commit_timestamp text)
language sql stable security definer set search_path = pg_catalog
as $$
  select c.seq, ch.id, ch.relid, ch.schema_name, ch.table_name, ch.type,
         to_char(c.committed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  from pgchanges.commits c
  cross join lateral (
    select * from pgchanges.changes ch
    where ch.txid = c.txid and (c.seq > p_seq or ch.id > p_id)
    order by ch.id
    limit p_limit) ch
  where c.seq >= p_seq
  order by c.seq, ch.id
  limit p_limit
$$;

-- The reader delivered everything up to commit p_seq: move its cursor,
-- forget readers silent for a minute (a daemon advances every ten seconds),
-- delete what all readers have delivered.
create or replace function pgchanges.advance(p_reader text, p_seq bigint) returns void
language plpgsql volatile security definer set search_path = pg_catalog
as $$
declare
  done bigint;
begin
  insert into pgchanges.readers as r (reader, last_seq) values (p_reader, p_seq)
    on conflict (reader) do update set last_seq = greatest(r.last_seq, excluded.last_seq),
                                       seen_at = now();
  delete from pgchanges.readers where seen_at < now() - interval '1 minute';
  select min(last_seq) into done from pgchanges.readers;
  if done is null then
    return;
  end if;
  delete from pgchanges.changes ch using pgchanges.commits c
    where c.txid = ch.txid and c.seq <= done;
  delete from pgchanges.commits where seq <= done;
end
$$;

-- Only the roles a request may take.
create or replace function pgchanges._check_role(p_role text) returns void
language plpgsql immutable
as $$
begin
  if p_role not in ('anon', 'authenticated', 'service_role') then
    raise exception 'pgchanges: unknown role %', p_role;
  end if;
end
$$;

-- Why each binding ({schema, table}) cannot be served to p_role: a jsonb
-- array with null (fine) or the reason, in order.
create or replace function pgchanges.binding_status(p_role text, p_bindings jsonb) returns jsonb
language plpgsql stable set search_path = pg_catalog
as $$
declare
  b jsonb;
  sch text;
  tab text;
  rel regclass;
  out jsonb := '[]';
  why text;
begin
  perform pgchanges._check_role(p_role);
  for b in select value from jsonb_array_elements(p_bindings) loop
    sch := coalesce(nullif(b ->> 'schema', ''), 'public');
    tab := nullif(b ->> 'table', '');
    why := null;
    if not exists (select from pg_publication where pubname = 'supabase_realtime') then
      why := format('the publication supabase_realtime does not exist (create publication '
                    'supabase_realtime for table %I.%s)', sch, coalesce(tab, '...'));
    elsif tab is null or tab = '*' then
      if not exists (select from pg_publication_tables p
                     where p.pubname = 'supabase_realtime' and p.schemaname = sch) then
        why := format('no table of schema %s is in the publication supabase_realtime', sch);
      elsif not exists (select from pg_publication_tables p
                        where p.pubname = 'supabase_realtime' and p.schemaname = sch
                          and (has_table_privilege(p_role, format('%I.%I', p.schemaname, p.tablename),
                                                   'SELECT')
                               or has_any_column_privilege(p_role, format('%I.%I', p.schemaname,
                                                                          p.tablename), 'SELECT'))) then
        why := format('role %s has no SELECT privilege on any published table of schema %s',
                      p_role, sch);
      end if;
    else
      rel := to_regclass(format('%I.%I', sch, tab));
      if rel is null then
        why := format('table %I.%I does not exist', sch, tab);
      elsif not exists (select from pg_publication_tables p
                        where p.pubname = 'supabase_realtime' and p.schemaname = sch
                          and p.tablename = tab) then
        why := format('table %I.%I is not in the publication supabase_realtime '
                      '(alter publication supabase_realtime add table %I.%I)', sch, tab, sch, tab);
      elsif not (has_table_privilege(p_role, rel, 'SELECT')
                 or has_any_column_privilege(p_role, rel, 'SELECT')) then
        why := format('role %s has no SELECT privilege on %I.%I', p_role, sch, tab);
      elsif (select count(*) from pg_trigger g where g.tgrelid = rel
             and g.tgname = any (pgchanges._wanted_triggers(rel)))
            < cardinality(pgchanges._wanted_triggers(rel)) then
        why := format('table %I.%I is in the publication but its changes are not captured '
                      '(run select pgchanges.sync() as a superuser)', sch, tab);
      end if;
    end if;
    out := out || jsonb_build_array(why);
  end loop;
  return out;
end
$$;

-- The predicate row-level security applies when p_role reads rel (its
-- SELECT and ALL policies: permissive ones ORed, restrictive ones ANDed),
-- 'true' when RLS does not apply to the role, null when the role may not
-- read the table at all.
create or replace function pgchanges._read_predicate(p_role text, p_rel oid) returns text
language plpgsql stable set search_path = pg_catalog
as $$
declare
  cls pg_class;
  permissive text;
  restrictive text;
begin
  select * into cls from pg_class where oid = p_rel;
  if not found or not (has_table_privilege(p_role, p_rel, 'SELECT')
                       or has_any_column_privilege(p_role, p_rel, 'SELECT')) then
    return null;
  end if;
  if not cls.relrowsecurity
     or (select rolbypassrls from pg_roles where rolname = p_role)
     or (pg_has_role(p_role, cls.relowner, 'USAGE') and not cls.relforcerowsecurity) then
    return 'true';
  end if;
  select string_agg('(' || pg_get_expr(p.polqual, p.polrelid) || ')', ' or ')
           filter (where p.polpermissive),
         string_agg('(' || pg_get_expr(p.polqual, p.polrelid) || ')', ' and ')
           filter (where not p.polpermissive)
    into permissive, restrictive
    from pg_policy p
    where p.polrelid = p_rel and p.polcmd in ('r', '*') and p.polqual is not null
      and (p.polroles = '{0}'
           or exists (select from unnest(p.polroles) r where pg_has_role(p_role, r, 'MEMBER')));
  return '(' || coalesce(permissive, 'false') || ')' || coalesce(' and ' || restrictive, '');
end
$$;

-- Which changes of a batch p_role with p_claims may see. For each change
-- the row that decides is the new row (INSERT, UPDATE) or the old row
-- (DELETE): the table's policies are evaluated on that row as the
-- subscriber, so a deleted row is checked too. Returns
--   {"rows": [{"id", "record", "old_record"}],   -- visible changes, their
--                                                -- rows cut to the columns
--                                                -- the role may select
--    "tables": {"<relid>": {"columns": [{name, type}], "keys": [...],
--                           "full": bool}}}
-- keys are the replica identity columns (the primary key by default), full
-- is REPLICA IDENTITY FULL. The daemon calls it once per distinct claim
-- set and batch.
create or replace function pgchanges.visible_for(p_role text, p_claims text, p_ids bigint[])
returns jsonb
language plpgsql volatile set search_path = pg_catalog
as $$
declare
  t record;
  checks jsonb := '[]';  -- [{relid, pred, cols}] per table the role may read
  tables jsonb := '{}';
  batch jsonb;
  visible jsonb;
  rows jsonb := '[]';
  pred text;
  cols text[];
begin
  perform pgchanges._check_role(p_role);
  -- everything read from the catalog and the change table before the
  -- role switch
  select coalesce(jsonb_agg(jsonb_build_object(
           '__pgc_id', ch.id, '__pgc_relid', ch.relid,
           '__pgc_r', coalesce(ch.record, ch.old_record), '__pgc_record', ch.record,
           '__pgc_old', ch.old_record)
           order by ch.id), '[]')
    into batch from pgchanges.changes ch where ch.id = any (p_ids);
  for t in select distinct (e ->> '__pgc_relid')::oid as relid from jsonb_array_elements(batch) e loop
    pred := pgchanges._read_predicate(p_role, t.relid);
    if pred is null then
      continue;
    end if;
    tables := tables || jsonb_build_object(t.relid::text, (
      select jsonb_build_object(
        'columns', coalesce((
          select jsonb_agg(jsonb_build_object('name', a.attname, 'type', ty.typname)
                           order by a.attnum)
          from pg_attribute a join pg_type ty on ty.oid = a.atttypid
          where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            and has_column_privilege(p_role, c.oid, a.attnum, 'SELECT')), '[]'),
        'keys', coalesce((
          select jsonb_agg(a.attname order by k.ord)
          from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord)
          join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
          where i.indrelid = c.oid
            and case when c.relreplident = 'i' then i.indisreplident else i.indisprimary end),
          '[]'),
        'full', c.relreplident = 'f')
      from pg_class c where c.oid = t.relid));
    -- the columns to keep; null when the role may select them all
    select case when bool_and(has_column_privilege(p_role, t.relid, a.attnum, 'SELECT')) then null
                else array_agg(a.attname::text)
                       filter (where has_column_privilege(p_role, t.relid, a.attnum, 'SELECT'))
           end
      into cols
      from pg_attribute a where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped;
    checks := checks || jsonb_build_array(jsonb_build_object(
      'relid', t.relid, 'name', (select relname from pg_class where oid = t.relid),
      'pred', pred, 'cols', to_jsonb(cols)));
  end loop;
  perform set_config('role', p_role, true);
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('request.jwt.claim.sub', coalesce(p_claims::jsonb ->> 'sub', ''), true);
  for t in select (c ->> 'relid')::oid as relid, c ->> 'name' as name, c ->> 'pred' as pred,
                  array(select jsonb_array_elements_text(nullif(c -> 'cols', 'null'))) as cols,
                  c -> 'cols' = 'null' as all_cols
           from jsonb_array_elements(checks) c loop
    begin
      execute format(
        'select coalesce(jsonb_agg(jsonb_build_object(
                  ''id'', __pgc_b.__pgc_id,
                  ''record'', case when $3 then __pgc_b.__pgc_record
                              else (select jsonb_object_agg(k.key, k.value)
                                    from jsonb_each(__pgc_b.__pgc_record) k
                                    where k.key = any ($4)) end,
                  ''old_record'', case when $3 then __pgc_b.__pgc_old
                                  else (select jsonb_object_agg(k.key, k.value)
                                        from jsonb_each(__pgc_b.__pgc_old) k
                                        where k.key = any ($4)) end)
                  order by __pgc_b.__pgc_id), ''[]'')
         from jsonb_to_recordset($1) as __pgc_b(__pgc_id bigint, __pgc_relid oid, __pgc_r jsonb,
                                                 __pgc_record jsonb, __pgc_old jsonb),
              lateral jsonb_populate_record(null::%s, __pgc_b.__pgc_r) as %I
         where __pgc_b.__pgc_relid = $2 and (%s)',
        t.relid::regclass, t.name, t.pred)
        into visible
        using batch, t.relid, t.all_cols, t.cols;
    exception when others then -- e.g. no USAGE on the schema: nothing is visible
      raise warning 'pgchanges.visible_for(%) on %: %', p_role, t.relid::regclass, sqlerrm;
      visible := '[]';
    end;
    rows := rows || visible;
  end loop;
  return jsonb_build_object('rows', rows, 'tables', tables);
end
$$;

revoke all on function pgchanges.attach(text, bigint), pgchanges.read(bigint, bigint, int),
  pgchanges.advance(text, bigint), pgchanges.binding_status(text, jsonb),
  pgchanges.visible_for(text, text, bigint[]), pgchanges.sync(),
  pgchanges._read_predicate(text, oid) from public;
grant execute on function pgchanges.attach(text, bigint), pgchanges.read(bigint, bigint, int),
  pgchanges.advance(text, bigint), pgchanges.binding_status(text, jsonb),
  pgchanges.visible_for(text, text, bigint[]), pgchanges._read_predicate(text, oid),
  pgchanges._check_role(text) to authenticator;
