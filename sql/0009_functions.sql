-- pgstack 0009: edge functions. The database is the source of truth for
-- deployments, so every host serves the same code.
--
-- pgstack_functions.functions   one row per function: its runtime (deno or
--                               plv8, the database runtime), verify_jwt, a
--                               version that grows with every deploy, the
--                               folder as {"path": "<base64>"} (deno) or the
--                               database function schema.fn (plv8).
-- pgstack_functions.secrets     project secrets, AES-256-GCM ciphertext
--                               (the key is derived from JWT_SECRET by the
--                               `pgstack functions secrets` command and the
--                               workers; the database never sees it).
-- pgstack_functions.state       one row: secrets_version.
-- pgstack_functions.lookup(n)   what a worker needs to route an invocation.
-- pgstack_functions.deployment_files(n, v), secret_values(), list():
--                               read by the workers (login role
--                               authenticator); SECURITY DEFINER so the API
--                               roles never read these tables themselves.
-- Every change NOTIFYs pgstack_functions.

create schema if not exists pgstack_functions;
revoke all on schema pgstack_functions from public;
grant usage on schema pgstack_functions to authenticator;

create sequence if not exists pgstack_functions.version_seq;

create table if not exists pgstack_functions.functions (
  name text primary key
    check (name ~ '^[A-Za-z][A-Za-z0-9_-]*$' and length(name) <= 128),
  runtime text not null check (runtime in ('deno', 'plv8')),
  verify_jwt boolean not null default true,
  version bigint not null default nextval('pgstack_functions.version_seq'),
  files jsonb,
  db_function text,
  status text not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((runtime = 'deno' and files is not null and files ? 'index.ts')
      or (runtime = 'plv8' and db_function is not null))
);

create table if not exists pgstack_functions.secrets (
  name text primary key
    check (name ~ '^[A-Za-z_][A-Za-z0-9_]*$' and length(name) <= 256 and name !~* '^SUPABASE_'),
  value bytea not null,
  updated_at timestamptz not null default now()
);

create table if not exists pgstack_functions.state (
  id boolean primary key default true check (id),
  secrets_version bigint not null default 0
);
insert into pgstack_functions.state (id) values (true) on conflict do nothing;

create or replace function pgstack_functions.changed() returns trigger
language plpgsql as $$
begin
  if tg_table_name = 'secrets' then
    update pgstack_functions.state set secrets_version = secrets_version + 1;
  end if;
  perform pg_catalog.pg_notify('pgstack_functions', tg_table_name);
  return null;
end
$$;

drop trigger if exists functions_changed on pgstack_functions.functions;
create trigger functions_changed after insert or update or delete on pgstack_functions.functions
  for each statement execute function pgstack_functions.changed();
drop trigger if exists secrets_changed on pgstack_functions.secrets;
create trigger secrets_changed after insert or update or delete on pgstack_functions.secrets
  for each statement execute function pgstack_functions.changed();

-- A new version on every update of a function's code or settings.
create or replace function pgstack_functions.bump_version() returns trigger
language plpgsql as $$
begin
  new.version := nextval('pgstack_functions.version_seq');
  new.updated_at := now();
  return new;
end
$$;
drop trigger if exists functions_version on pgstack_functions.functions;
create trigger functions_version before update on pgstack_functions.functions
  for each row execute function pgstack_functions.bump_version();

create or replace function pgstack_functions.lookup(p_name text)
returns table (runtime text, verify_jwt boolean, version bigint, db_function text,
               secrets_version bigint)
language sql stable security definer set search_path = pg_catalog as $$
  select f.runtime, f.verify_jwt, f.version, f.db_function, s.secrets_version
  from pgstack_functions.functions f, pgstack_functions.state s
  where f.name = p_name and f.status = 'active'
$$;

create or replace function pgstack_functions.deployment_files(p_name text, p_version bigint)
returns jsonb
language sql stable security definer set search_path = pg_catalog as $$
  select f.files from pgstack_functions.functions f
  where f.name = p_name and f.version = p_version
$$;

create or replace function pgstack_functions.secret_values()
returns table (name text, value bytea)
language sql stable security definer set search_path = pg_catalog as $$
  select s.name, s.value from pgstack_functions.secrets s order by s.name
$$;

create or replace function pgstack_functions.list() returns json
language sql stable security definer set search_path = pg_catalog as $$
  select coalesce(json_agg(json_build_object('name', f.name, 'runtime', f.runtime,
                                             'status', f.status, 'verify_jwt', f.verify_jwt)
                           order by f.name), '[]'::json)
  from pgstack_functions.functions f
$$;

create or replace function pgstack_functions.refresh() returns void
language sql volatile security definer set search_path = pg_catalog as $$
  select pg_catalog.pg_notify('pgstack_functions', 'refresh')
$$;

revoke all on all functions in schema pgstack_functions from public;
grant execute on function pgstack_functions.lookup(text), pgstack_functions.deployment_files(text, bigint),
  pgstack_functions.secret_values(), pgstack_functions.list(), pgstack_functions.refresh()
  to authenticator;

-- The demo tables POST /api/demo mutates (development and demos; see the
-- README). Only service_role (through /api/demo or /api/sql) touches them.
create schema if not exists pgstack_demo;
revoke all on schema pgstack_demo from public;
grant usage on schema pgstack_demo to service_role;
create table if not exists pgstack_demo.counters (
  name text primary key check (length(name) between 1 and 64),
  value bigint not null default 0,
  updated_at timestamptz not null default now()
);
create table if not exists pgstack_demo.events (
  id bigint generated always as identity primary key,
  name text not null,
  delta bigint not null,
  at timestamptz not null default now()
);
grant select, insert, update, delete, truncate on pgstack_demo.counters, pgstack_demo.events
  to service_role;
