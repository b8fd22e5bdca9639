-- pgstack 0016: a version of the functions catalog, for workers that cannot
-- LISTEN (DB_PREPARED_STATEMENTS=false: PgBouncer in transaction mode).
--
-- pgstack_functions.state.catalog_version   grows with every change of a
--     function or a secret and with every POST /functions/v1/_refresh.
-- pgstack_functions.catalog_version()        read by such a worker at most
--     once a second; when it moved, the worker drops its cached lookups.
-- Workers with a session of their own LISTEN on pgstack_functions instead
-- (the NOTIFY of 0009 is unchanged).

alter table pgstack_functions.state
  add column if not exists catalog_version bigint not null default 0;

create or replace function pgstack_functions.changed() returns trigger
language plpgsql as $$
begin
  if tg_table_name = 'secrets' then
    update pgstack_functions.state
      set secrets_version = secrets_version + 1, catalog_version = catalog_version + 1;
  else
    update pgstack_functions.state set catalog_version = catalog_version + 1;
  end if;
  perform pg_catalog.pg_notify('pgstack_functions', tg_table_name);
  return null;
end
$$;

create or replace function pgstack_functions.refresh() returns void
language sql volatile security definer set search_path = pg_catalog as $$
  update pgstack_functions.state set catalog_version = catalog_version + 1;
  select pg_catalog.pg_notify('pgstack_functions', 'refresh')
$$;

create or replace function pgstack_functions.catalog_version() returns bigint
language sql stable security definer set search_path = pg_catalog as $$
  select s.catalog_version from pgstack_functions.state s
$$;

revoke all on function pgstack_functions.catalog_version() from public;
grant execute on function pgstack_functions.catalog_version() to authenticator;
