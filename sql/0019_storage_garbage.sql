-- pgstack migration 0019: stored bytes that no row names any more, queued
-- for removal in the transaction that let go of them.
--
-- The storage workers remove an object's old version right after their
-- transaction commits; that removal may fail (the S3 store unreachable, the
-- worker killed in between) and a delete allowed by
-- storage.allow_delete_query never reaches a worker at all. A trigger
-- queues every version a row stops naming (an object's row deleted or
-- pointed at a new version, a cached render's row deleted) in
-- storage.garbage, and `pgstack storage cleanup` removes
-- the queued versions from the backend (again: removing a missing version
-- is not an error) and drops the queue rows it removed, so nothing stays
-- behind for good. Versions are random and never reused, so a queued
-- version can never be current again.

create table if not exists storage.garbage (
  object_id uuid not null,
  version text not null,
  queued_at timestamptz not null default pg_catalog.now(),
  primary key (object_id, version)
);
create index if not exists garbage_queued_at on storage.garbage (queued_at);
revoke all on storage.garbage from public, anon, authenticated;
grant select, delete on storage.garbage to service_role;

create or replace function storage.queue_garbage() returns trigger
language plpgsql security definer set search_path = pg_catalog
as $$
begin
  if old.version is not null and old.version <> ''
     and (tg_op = 'DELETE' or old.version is distinct from new.version) then
    insert into storage.garbage (object_id, version) values (old.id, old.version)
      on conflict do nothing;
  end if;
  return null;
end
$$;
revoke all on function storage.queue_garbage() from public;

drop trigger if exists queue_garbage on storage.objects;
create trigger queue_garbage after update of version or delete on storage.objects
  for each row execute function storage.queue_garbage();
-- a cached render is stored like an object version under its own id
drop trigger if exists queue_garbage on storage.renders;
create trigger queue_garbage after delete on storage.renders
  for each row execute function storage.queue_garbage();

-- A delete allowed by storage.allow_delete_query no longer leaves files
-- behind for good: say so.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if pg_catalog.current_setting('storage.allow_delete_query', true) is distinct from 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using errcode = '42501',
            hint = 'set storage.allow_delete_query = true to delete rows (their stored files are'
                   ' removed by the next `pgstack storage cleanup`)';
  end if;
  return old;
end
$$;
