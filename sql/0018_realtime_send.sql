-- Broadcast from the database, as Supabase's realtime.send:
--   select realtime.send(payload jsonb, event text, topic text, private boolean default true);
-- delivers {type: "broadcast", event, payload, meta: {id}} to the Phoenix
-- subscribers of "realtime:<topic>" on every pgstack-realtime daemon, when
-- the calling transaction commits (nothing when it rolls back).
--
-- As in Supabase, the message is a row inserted into realtime.messages as
-- the caller, so the INSERT policies of realtime.messages (sql/0013) decide
-- who may send (the same policies that let a socket send broadcasts on a
-- private channel); a refused insert is a WARNING
-- "ErrorSendingBroadcastMessage: ..." and no message, as Supabase does; so
-- is an empty event or topic, or one over the REST broadcast's limits.
-- With private = true only the members of the private channel whose join
-- was granted broadcast reads (SELECT on realtime.messages) get it; with
-- false, the members of the public channel. The payload gets an "id" (the
-- message's id) unless it has one.
--
-- Delivery: an AFTER INSERT trigger on realtime.messages publishes the row
-- on the daemons' NOTIFY bus (channel realtime_bus, a "pb" message, as a
-- daemon publishes a broadcast to the others) and deletes the row: pgstack
-- keeps no message history. A message NOTIFY cannot carry (its JSON over
-- 7999 bytes) is an ERROR (SQLSTATE 54000) rather than a WARNING, so the
-- sender learns that nothing was sent.

-- The bus message for one broadcast row, and the check of its size.
create or replace function realtime._pgstack_send_notify() returns trigger
language plpgsql volatile security definer set search_path = pg_catalog
as $$
declare
  msg text;
begin
  if new.extension <> 'broadcast' or new.event = 'pgstack.authz' then
    return null; -- presence rows and pgstack_authorize's probes
  end if;
  msg := json_build_object(
    'd', 'database', 'k', 'pb', 't', 'realtime:' || new.topic,
    'pv', coalesce(new.private, false), 'e', coalesce(new.event, ''),
    'enc', 1, 'p', coalesce(new.payload, '{}'::jsonb)::text, 'id', new.id)::text;
  if octet_length(msg) > 7999 then
    raise exception 'realtime.send: the message to topic "%" is % bytes, more than a NOTIFY '
                    'carries (7999)', left(new.topic, 100), octet_length(msg)
      using errcode = '54000',
            hint = 'Send a smaller payload (for example the row''s id) and let clients fetch the rest.';
  end if;
  perform pg_notify('realtime_bus', msg);
  delete from realtime.messages where id = new.id;
  return null;
end
$$;
revoke all on function realtime._pgstack_send_notify() from public;

drop trigger if exists pgstack_send on realtime.messages;
create trigger pgstack_send after insert on realtime.messages
  for each row execute function realtime._pgstack_send_notify();

create or replace function realtime.send(payload jsonb, event text, topic text,
                                         private boolean default true)
returns void
language plpgsql volatile set search_path = pg_catalog
as $$
declare
  generated_id uuid := gen_random_uuid();
  final_payload jsonb := payload;
begin
  if jsonb_typeof(payload) = 'object' and not payload ? 'id' then
    final_payload := payload || jsonb_build_object('id', generated_id);
  end if;
  begin
    if coalesce(event, '') = '' or octet_length(event) > 255
       or coalesce(topic, '') = '' or octet_length(topic) > 200 then
      -- what no channel could receive (the REST broadcast's limits)
      raise exception 'realtime.send needs an event (1-255 bytes) and a topic (1-200 bytes)';
    end if;
    perform set_config('realtime.topic', topic, true); -- for realtime.topic() in policies
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when program_limit_exceeded then
      raise; -- too large for NOTIFY: the caller must know
    when others then
      raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;
grant execute on function realtime.send(jsonb, text, text, boolean)
  to anon, authenticated, service_role;
