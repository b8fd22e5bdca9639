-- pgstack 0004: keeping the REST workers' schema catalog fresh without a
-- restart.
--
-- pgstack.catalog_version    one row counting schema changes.
-- pgstack.catalog_changed()  bumps the counter and NOTIFYs the channel
--                            pgstack_catalog, on which the REST workers
--                            LISTEN; called by the event triggers below on
--                            every DDL command (temporary objects aside) and
--                            by POST /api/catalog/refresh (service_role).
-- pgstack.catalog_check(v)   raises SQLSTATE PGCAT when the counter moved
--                            past v. Workers that cannot LISTEN
--                            (DB_PREPARED_STATEMENTS=false: PgBouncer in
--                            transaction mode) start each request with it,
--                            then reload their catalog and retry.
--
-- Event triggers need a superuser. Where the migrating role is none (a
-- managed PostgreSQL), they are skipped with a warning: call
-- POST /api/catalog/refresh after schema changes there.

create schema if not exists pgstack;
grant usage on schema pgstack to public;

create table if not exists pgstack.catalog_version (
  id boolean primary key default true check (id),
  version bigint not null default 0
);
insert into pgstack.catalog_version (id, version) values (true, 0) on conflict do nothing;
grant select on pgstack.catalog_version to public; -- workers read it with their catalog

create or replace function pgstack.catalog_changed() returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  update pgstack.catalog_version set version = version + 1;
  perform pg_catalog.pg_notify('pgstack_catalog', '');
end
$$;

create or replace function pgstack.catalog_check(expected bigint) returns void
language plpgsql stable security definer set search_path = ''
as $$
begin
  if (select version from pgstack.catalog_version) is distinct from expected then
    raise exception 'the schema catalog changed' using errcode = 'PGCAT';
  end if;
end
$$;

revoke execute on function pgstack.catalog_changed(), pgstack.catalog_check(bigint) from public;
grant execute on function pgstack.catalog_check(bigint) to anon, authenticated, service_role;
grant execute on function pgstack.catalog_changed() to service_role;

create or replace function pgstack.catalog_on_ddl() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_event = 'sql_drop' then
    if exists (select from pg_catalog.pg_event_trigger_dropped_objects() where not is_temporary) then
      perform pgstack.catalog_changed();
    end if;
  elsif exists (select from pg_catalog.pg_event_trigger_ddl_commands()
                where schema_name is null or schema_name !~ '^pg_temp') then
    perform pgstack.catalog_changed();
  end if;
end
$$;

do $$
begin
  drop event trigger if exists pgstack_catalog_ddl;
  drop event trigger if exists pgstack_catalog_drop;
  create event trigger pgstack_catalog_ddl on ddl_command_end
    execute function pgstack.catalog_on_ddl();
  create event trigger pgstack_catalog_drop on sql_drop
    execute function pgstack.catalog_on_ddl();
exception when insufficient_privilege then
  raise warning 'pgstack: event triggers need a superuser; call POST /api/catalog/refresh after schema changes';
end
$$;

select pgstack.catalog_changed();
