-- pgstack 0015: the render cache of /storage/v1/render/image.
--
-- storage.renders   one row per transformed image kept on the storage
--                   backend: the source object (id and version, so a new
--                   upload never serves an old render), the canonical
--                   parameters, and the backend version holding the bytes
--                   (placed like an object's bytes, under the render's own
--                   id). Only service_role (the storage workers, after the
--                   caller's own SELECT, bucket flag or token decided)
--                   touches it. Renders of replaced or deleted objects are
--                   swept by `pgstack storage cleanup` and opportunistically
--                   by the workers (storage.stale_renders).
-- storage.put_chunk now also accepts chunks of a render row written by the
--                   current transaction (STORAGE_BACKEND=database); a
--                   render's chunks go when its row goes (trigger).

create table if not exists storage.renders (
  id uuid primary key default gen_random_uuid(),
  object_id uuid not null,
  source_version text not null,
  params text not null,
  version text not null,
  content_type text not null,
  size bigint not null,
  created_at timestamptz not null default now(),
  unique (object_id, source_version, params)
);
revoke all on storage.renders from public, anon, authenticated;
grant select, insert, delete on storage.renders to service_role;

create or replace function storage.put_chunk(object_id uuid, version text, n integer, data bytea)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select from storage.objects o where o.id = put_chunk.object_id
                 and o.version = put_chunk.version
                 and o.xmin = pg_catalog.pg_current_xact_id()::xid)
     and not exists (select from storage.renders r where r.id = put_chunk.object_id
                     and r.version = put_chunk.version
                     and r.xmin = pg_catalog.pg_current_xact_id()::xid) then
    raise exception 'no object version % of % written by this transaction', version, object_id
      using errcode = '42501';
  end if;
  insert into storage.object_chunks values (object_id, version, n, data);
end
$$;

create or replace function storage.drop_render_chunks() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from storage.object_chunks c where c.object_id = old.id and c.version = old.version;
  return null;
end
$$;
drop trigger if exists drop_render_chunks on storage.renders;
create trigger drop_render_chunks after delete on storage.renders
  for each row execute function storage.drop_render_chunks();

-- Removes (and returns, so the worker can remove their bytes) up to lim
-- renders whose source object is gone or holds another version.
create or replace function storage.stale_renders(lim integer)
returns table (id uuid, version text)
language sql set search_path = ''
as $$
  delete from storage.renders r
  where r.id in (select s.id from storage.renders s
                 where not exists (select from storage.objects o
                                   where o.id = s.object_id and o.version = s.source_version)
                 limit lim)
  returning r.id, r.version
$$;
revoke all on function storage.stale_renders(integer) from public;
grant execute on function storage.stale_renders(integer) to service_role;

-- auth.uid() with the same result, written as one expression so that the
-- planner inlines it into the queries and policies that call it. The
-- earlier body (a subquery in FROM) could not be inlined: PostgreSQL then
-- parsed and planned it again at every execution, about a third of the
-- database's CPU time for a private download (`scripts/dev bench storage`)
-- and a cost paid by every RLS policy written as Supabase's docs teach.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select case
    when coalesce(nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
                  auth.jwt() ->> 'sub')
         ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then coalesce(nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
                  auth.jwt() ->> 'sub')::uuid
  end
$$;

-- TUS creation-defer-length: an upload may start without its length
-- (Upload-Defer-Length: 1) and learn it from a later PATCH; until then it
-- may grow up to the bucket's limit, recorded at creation.
alter table storage.uploads alter column upload_length drop not null;
alter table storage.uploads add column if not exists length_limit bigint;
