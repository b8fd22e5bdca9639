-- pgstack 0007: the storage schema, compatible with Supabase Storage so that
-- policies written for Supabase work as written.
--
-- storage.buckets   one row per bucket (id, name, owner, public, limits).
-- storage.objects   one row per object (bucket_id, name = the key inside the
--                   bucket, owner/owner_id = the uploader's JWT sub,
--                   metadata = system metadata, user_metadata, version =
--                   which stored file holds the bytes).
-- storage.foldername(name), storage.filename(name), storage.extension(name)
--                   the helpers policies call.
-- storage.bucket_settings(id)
--                   what an upload needs to know of a bucket (public, limits),
--                   readable by every caller: Supabase reads the bucket as
--                   its own user, so uploads work without a SELECT policy on
--                   storage.buckets.
-- storage.list_folder(...)
--                   one folder level of a bucket as storage-js's list()
--                   expects it; runs as the caller (RLS applies).
--
-- RLS is enabled on both tables with no default policy: anon and
-- authenticated see and change nothing until policies say so;
-- service_role bypasses RLS. Deleting rows of storage.objects directly is
-- refused unless the transaction sets storage.allow_delete_query (the
-- workers do), so SQL cannot orphan stored files by accident.
--
-- Plain SQL and PL/pgSQL: applies on a managed PostgreSQL too.

create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  owner_id text,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  type text not null default 'STANDARD',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text not null references storage.buckets (id),
  name text not null,
  owner uuid,
  owner_id text,
  metadata jsonb,
  user_metadata jsonb,
  version text,
  path_tokens text[] generated always as (pg_catalog.string_to_array(name, '/')) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  unique (bucket_id, name)
);
create index if not exists objects_bucket_name_pattern
  on storage.objects (bucket_id, name text_pattern_ops);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

grant select, insert, update, delete on storage.buckets, storage.objects
  to anon, authenticated, service_role;

-- The folders of a key: every part but the last.
create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select (pg_catalog.string_to_array(name, '/'))[1 :
          pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1) - 1]
$$;

-- The last part of a key.
create or replace function storage.filename(name text) returns text
language sql immutable
as $$
  select (pg_catalog.string_to_array(name, '/'))[
          pg_catalog.array_length(pg_catalog.string_to_array(name, '/'), 1)]
$$;

-- What follows the last dot of the file name ('' when there is none).
create or replace function storage.extension(name text) returns text
language sql immutable
as $$
  select case when storage.filename(name) like '%.%'
    then pg_catalog.reverse(pg_catalog.split_part(pg_catalog.reverse(storage.filename(name)), '.', 1))
    else '' end
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role;

-- Upload, signing and download helpers read a bucket's settings whatever
-- the caller's policies on storage.buckets (as Supabase does).
create or replace function storage.bucket_settings(bucket text)
returns table (id text, public boolean, file_size_limit bigint, allowed_mime_types text[])
language sql stable security definer set search_path = ''
as $$
  select b.id, b.public, b.file_size_limit, b.allowed_mime_types
  from storage.buckets b where b.id = bucket
$$;
grant execute on function storage.bucket_settings(text) to anon, authenticated, service_role;

-- Direct deletes would orphan stored files: only the storage workers,
-- which remove the files after their transaction commits, may delete.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if pg_catalog.current_setting('storage.allow_delete_query', true) is distinct from 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using errcode = '42501',
            hint = 'set storage.allow_delete_query = true to delete rows (the stored files stay)';
  end if;
  return old;
end
$$;
drop trigger if exists protect_objects_delete on storage.objects;
create trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();

-- Escapes LIKE wildcards so a prefix matches literally.
create or replace function storage.like_prefix(prefix text) returns text
language sql immutable
as $$
  select pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(prefix, '\', '\\'), '%', '\%'),
                            '_', '\_') || '%'
$$;
grant execute on function storage.like_prefix(text) to anon, authenticated, service_role;

-- One folder level under prefix (a '/' is appended when missing), as
-- storage-js's list() reads it: folders first as rows with null id and
-- metadata, then files; names relative to the prefix; search is a
-- case-insensitive prefix filter on those names. Runs as the caller.
create or replace function storage.list_folder(
  bucket text, prefix text, lim integer, offs integer, search text,
  sort_column text, sort_order text)
returns jsonb
language plpgsql stable
as $$
declare
  folder text := case when prefix = '' or prefix like '%/' then prefix else prefix || '/' end;
  descending boolean := pg_catalog.lower(sort_order) = 'desc';
  result jsonb;
begin
  if sort_column not in ('name', 'updated_at', 'created_at', 'last_accessed_at') then
    sort_column := 'name';
  end if;
  with inside as (
    select o.*, pg_catalog.substr(o.name, pg_catalog.length(folder) + 1) as rest
    from storage.objects o
    where o.bucket_id = bucket and o.name like storage.like_prefix(folder)
  ), entries as (
    select distinct on (pg_catalog.split_part(rest, '/', 1))
      pg_catalog.split_part(rest, '/', 1) as entry, true as is_folder,
      null::uuid as id, null::timestamptz as updated_at, null::timestamptz as created_at,
      null::timestamptz as last_accessed_at, null::jsonb as metadata
    from inside where pg_catalog.strpos(rest, '/') > 0
    union all
    select rest, false, id, updated_at, created_at, last_accessed_at, metadata
    from inside where pg_catalog.strpos(rest, '/') = 0
  ), chosen as (
    select * from entries
    where search is null or search = '' or pg_catalog.lower(entry) like
          pg_catalog.lower(storage.like_prefix(search))
    order by
      case when not descending then
        case sort_column when 'name' then entry
          when 'updated_at' then pg_catalog.to_char(updated_at, 'YYYYMMDDHH24MISSUS')
          when 'created_at' then pg_catalog.to_char(created_at, 'YYYYMMDDHH24MISSUS')
          else pg_catalog.to_char(last_accessed_at, 'YYYYMMDDHH24MISSUS') end end asc,
      case when descending then
        case sort_column when 'name' then entry
          when 'updated_at' then pg_catalog.to_char(updated_at, 'YYYYMMDDHH24MISSUS')
          when 'created_at' then pg_catalog.to_char(created_at, 'YYYYMMDDHH24MISSUS')
          else pg_catalog.to_char(last_accessed_at, 'YYYYMMDDHH24MISSUS') end end desc,
      entry
    limit lim offset offs
  )
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'name', entry, 'id', id, 'updated_at', updated_at, 'created_at', created_at,
           'last_accessed_at', last_accessed_at, 'metadata', metadata)), '[]'::jsonb)
  into result from chosen;
  return result;
end
$$;
grant execute on function storage.list_folder(text, text, integer, integer, text, text, text)
  to anon, authenticated, service_role;

-- TUS resumable uploads in progress (/storage/v1/upload/resumable): one row
-- per upload, bound to the caller that created it (its sub and role); the
-- bytes received so far are a file of the backend (uploads/<id>). Only the
-- storage workers (as service_role) touch this table; the object row is
-- written as the caller, under RLS, when the last byte arrives.
create table if not exists storage.uploads (
  id uuid primary key default gen_random_uuid(),
  bucket_id text not null references storage.buckets (id) on delete cascade,
  name text not null,
  creator_sub text not null default '',
  creator_role text not null,
  upsert boolean not null default false,
  content_type text,
  cache_control text,
  user_metadata jsonb,
  upload_length bigint not null check (upload_length >= 0),
  upload_offset bigint not null default 0,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
revoke all on storage.uploads from public, anon, authenticated;
grant select, insert, update, delete on storage.uploads to service_role;

-- STORAGE_BACKEND=database: object bytes as 1 MiB bytea chunks, keyed by
-- the object's id and version (versions are immutable, as files are). The
-- workers add chunks inside the caller's own transaction, right after the
-- row that names the version, through storage.put_chunk (which accepts
-- chunks only for a version written by the current transaction), so a
-- failed upload leaves no bytes behind. Chunks of a version go when its row
-- is deleted or points at another version (trigger), in the same
-- transaction. Only service_role reads the table (downloads run as
-- service_role after the caller's SELECT decided).
create table if not exists storage.object_chunks (
  object_id uuid not null,
  version text not null,
  n integer not null check (n >= 0),
  data bytea not null,
  primary key (object_id, version, n)
);
revoke all on storage.object_chunks from public, anon, authenticated;
grant select on storage.object_chunks to service_role;

create or replace function storage.put_chunk(object_id uuid, version text, n integer, data bytea)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select from storage.objects o where o.id = put_chunk.object_id
                 and o.version = put_chunk.version
                 and o.xmin = pg_catalog.pg_current_xact_id()::xid) then
    raise exception 'no object version % of % written by this transaction', version, object_id
      using errcode = '42501';
  end if;
  insert into storage.object_chunks values (object_id, version, n, data);
end
$$;

create or replace function storage.copy_chunks(src uuid, src_version text, dst uuid,
                                               dst_version text)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select from storage.objects o where o.id = dst and o.version = dst_version
                 and o.xmin = pg_catalog.pg_current_xact_id()::xid) then
    raise exception 'no object version % of % written by this transaction', dst_version, dst
      using errcode = '42501';
  end if;
  insert into storage.object_chunks
    select dst, dst_version, c.n, c.data from storage.object_chunks c
    where c.object_id = src and c.version = src_version;
end
$$;
revoke all on function storage.put_chunk(uuid, text, integer, bytea),
  storage.copy_chunks(uuid, text, uuid, text) from public;
grant execute on function storage.put_chunk(uuid, text, integer, bytea),
  storage.copy_chunks(uuid, text, uuid, text) to anon, authenticated, service_role;

create or replace function storage.drop_old_chunks() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'DELETE' or old.version is distinct from new.version then
    delete from storage.object_chunks c where c.object_id = old.id and c.version = old.version;
  end if;
  return null;
end
$$;
drop trigger if exists drop_old_chunks on storage.objects;
create trigger drop_old_chunks after update or delete on storage.objects
  for each row execute function storage.drop_old_chunks();
