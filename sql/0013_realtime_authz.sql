-- Realtime Authorization (private channels), as Supabase Realtime does it:
-- apps write RLS policies on realtime.messages, using realtime.topic() for
-- the channel's topic ("room1" for supabase.channel('room1')) and the
-- extension column ('broadcast' | 'presence'). A caller may join a private
-- channel when it may SELECT such a row for the topic, send broadcasts when
-- it may INSERT one with extension 'broadcast', and track presence when it
-- may INSERT one with extension 'presence'. pgstack-realtime asks
-- realtime.pgstack_authorize once per join (and per REST broadcast topic),
-- as the caller's role and claims, and keeps the answer for the channel.
--
-- Example (a member of a room may listen and send):
--   create policy "members read" on realtime.messages for select
--     to authenticated using (
--       exists (select 1 from public.room_members m
--               where m.user_id = auth.uid() and m.room = realtime.topic()));
--   create policy "members write" on realtime.messages for insert
--     to authenticated with check (
--       exists (select 1 from public.room_members m
--               where m.user_id = auth.uid() and m.room = realtime.topic()));

create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role, authenticator;

create table if not exists realtime.messages (
  id uuid primary key default gen_random_uuid(),
  topic text not null,
  extension text not null check (extension in ('broadcast', 'presence')),
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now()
);
create index if not exists messages_topic_idx on realtime.messages (topic);
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to anon, authenticated;
grant all on realtime.messages to service_role;

-- The topic being authorized (without the "realtime:" prefix).
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;
grant execute on function realtime.topic() to public;

-- The probe rows the SELECT check looks for, inserted as the table's owner
-- (inside realtime.pgstack_authorize's subtransaction, which is always
-- rolled back: they never persist).
create or replace function realtime._authz_probe(p_topic text) returns uuid[]
language sql volatile security definer set search_path = pg_catalog
as $$
  with ins as (
    insert into realtime.messages (topic, extension, private, event)
    values (p_topic, 'broadcast', true, 'pgstack.authz'),
           (p_topic, 'presence', true, 'pgstack.authz')
    returning id)
  select array_agg(id) from ins
$$;

-- What p_role with p_claims may do on private topic p_topic, among
-- 'read:broadcast', 'read:presence', 'write:broadcast', 'write:presence'.
-- Runs every check as the caller (RLS applies); a policy that raises an
-- error denies. Changes nothing: everything happens in a subtransaction
-- that is rolled back.
create or replace function realtime.pgstack_authorize(p_topic text, p_role text, p_claims text)
returns text[]
language plpgsql volatile set search_path = pg_catalog
as $$
declare
  granted text[] := '{}';
  probe uuid[];
  ext text;
begin
  if p_role not in ('anon', 'authenticated', 'service_role') then
    raise exception 'realtime.pgstack_authorize: unknown role %', p_role;
  end if;
  begin
    probe := realtime._authz_probe(p_topic);
    perform set_config('request.jwt.claims', p_claims, true);
    perform set_config('request.jwt.claim.sub', coalesce(p_claims::jsonb ->> 'sub', ''), true);
    perform set_config('request.jwt.claim.role', p_role, true);
    perform set_config('realtime.topic', p_topic, true);
    perform set_config('role', p_role, true);
    begin
      select coalesce(array_agg('read:' || extension), '{}') into granted
        from realtime.messages where id = any (probe);
    exception when others then
      granted := '{}';
    end;
    foreach ext in array array['broadcast', 'presence'] loop
      begin
        insert into realtime.messages (topic, extension, private, event)
        values (p_topic, ext, true, 'pgstack.authz');
        granted := granted || ('write:' || ext);
        raise sqlstate 'P0R01';
      exception when others then
        null;
      end;
    end loop;
    raise sqlstate 'P0R02'; -- undo the probe rows, the role and the settings
  exception when sqlstate 'P0R02' then
    null;
  end;
  return granted;
end
$$;

revoke all on function realtime._authz_probe(text) from public;
grant execute on function realtime._authz_probe(text) to authenticator;
revoke all on function realtime.pgstack_authorize(text, text, text) from public;
grant execute on function realtime.pgstack_authorize(text, text, text) to authenticator;
