-- pgstack 0005: what the REST write path needs from the database.
--
-- pgstack.rest_single(n)  returns n when it is 1, else raises PostgREST's
--                         PGRST116 (406) in the "RAISE SQLSTATE 'PGRST'"
--                         form the REST workers map to a reply. A write
--                         asked for one object
--                         (Accept: application/vnd.pgrst.object+json)
--                         checks its count with it inside the statement, so
--                         that changing more or fewer rows than one fails
--                         the transaction and nothing is written.
--
-- Plain PL/pgSQL: applies on a managed PostgreSQL too.

create schema if not exists pgstack;
grant usage on schema pgstack to public;

create or replace function pgstack.rest_single(n bigint) returns bigint
language plpgsql volatile set search_path = ''
as $$
begin
  if n is distinct from 1 then
    raise sqlstate 'PGRST' using
      message = pg_catalog.json_build_object(
        'code', 'PGRST116',
        'message', 'Cannot coerce the result to a single JSON object',
        'details', pg_catalog.format('The result contains %s rows', coalesce(n, 0)),
        'hint', null)::text,
      detail = pg_catalog.json_build_object('status', 406, 'headers',
        pg_catalog.json_build_object())::text;
  end if;
  return n;
end
$$;

-- Executable by every role (the default): it only ever raises or echoes.
