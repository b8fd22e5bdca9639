-- pgstack 0011: database webhooks — registrations, a durable outbox written
-- in the same transaction as the row change, and the delivery log.
--
-- pgstack.webhooks             one row per registration (the secret sealed
--                              with AES-256-GCM by the REST worker; only the
--                              delivery daemon opens it).
-- pgstack.webhook_deliveries   the outbox: one row per (event, webhook),
--                              queued by the trigger below, claimed and
--                              settled by the realtime daemon. state:
--                              queued -> (sending) -> delivered | dead.
-- pgstack.webhook_attempts     every attempt with its outcome.
-- pgstack.webhook_capture()    the row trigger (SECURITY DEFINER, search_path
--                              pinned): matches the change to webhooks (table
--                              or '*', event or '*') and queues one delivery
--                              per match, then NOTIFYs pgstack_webhooks.
-- pgstack.webhook_register / webhook_delete / webhook_list /
-- webhook_delivery_log / webhook_retry
--                              what /rest/v1/webhooks calls (service_role
--                              only). A table-specific webhook installs the
--                              trigger pgstack_webhook on its table; deleting
--                              the last one for the table removes it.
-- pgstack.webhook_claim / webhook_settle / webhook_prune
--                              what the delivery daemon calls.

create schema if not exists pgstack;
grant usage on schema pgstack to public;

create table if not exists pgstack.webhooks (
  id uuid primary key default gen_random_uuid(),
  url text not null,
  events text[] not null default '{*}',
  table_schema text,                 -- null for table_name '*'
  table_name text not null default '*',
  secret_sealed text,                -- null: no secret, no signature
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index if not exists webhooks_table on pgstack.webhooks (table_schema, table_name);

create table if not exists pgstack.webhook_deliveries (
  id bigint generated always as identity primary key,
  webhook_id uuid not null references pgstack.webhooks (id) on delete cascade,
  event text not null,
  table_schema text not null,
  table_name text not null,
  body text not null,
  state text not null default 'queued'
    check (state in ('queued', 'sending', 'delivered', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  settled_at timestamptz
);
create index if not exists webhook_deliveries_due on pgstack.webhook_deliveries (next_attempt_at)
  where state in ('queued', 'sending');
create index if not exists webhook_deliveries_of on pgstack.webhook_deliveries (webhook_id, id);

create table if not exists pgstack.webhook_attempts (
  delivery_id bigint not null references pgstack.webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  at timestamptz not null default now(),
  status integer,                    -- the HTTP status, null on a network error
  error text,                        -- null when delivered
  duration_ms integer not null,
  primary key (delivery_id, attempt)
);

revoke all on pgstack.webhooks, pgstack.webhook_deliveries, pgstack.webhook_attempts from public;

-- The row trigger: one delivery per matching webhook, in the writer's
-- transaction (a rollback queues nothing), whatever role wrote the row.
create or replace function pgstack.webhook_capture() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  payload text;
  queued integer;
begin
  payload := (jsonb_build_object('event', tg_op, 'table', tg_table_name)
    || case when tg_op <> 'DELETE' then jsonb_build_object('record', to_jsonb(new))
            else '{}'::jsonb end
    || case when tg_op <> 'INSERT' then jsonb_build_object('old_record', to_jsonb(old))
            else '{}'::jsonb end)::text;
  insert into pgstack.webhook_deliveries (webhook_id, event, table_schema, table_name, body)
  select w.id, tg_op, tg_table_schema, tg_table_name, payload
    from pgstack.webhooks w
   where w.active
     and (w.table_name = '*' or (w.table_schema = tg_table_schema and w.table_name = tg_table_name))
     and w.events && array[tg_op::text, '*'];
  get diagnostics queued = row_count;
  if queued > 0 then
    perform pg_notify('pgstack_webhooks', '');
  end if;
  return null;
end
$$;

-- The JSON a registration is shown as (never the secret).
create or replace function pgstack.webhook_json(w pgstack.webhooks) returns json
language sql stable set search_path = pg_catalog, pg_temp
as $$
  select json_build_object('id', w.id, 'url', w.url, 'events', to_json(w.events),
    'table_name', w.table_name, 'active', w.active,
    'created_at', to_char(w.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;

-- Registers a webhook; schemas are the exposed schemas in search order.
-- Returns null when table_name is not a table of one of them.
create or replace function pgstack.webhook_register(p_url text, p_events text[], p_table text,
                                                    p_secret_sealed text, p_schemas text[])
returns json
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema text;
  w pgstack.webhooks;
begin
  lock table pgstack.webhooks in share row exclusive mode;
  if p_table <> '*' then
    select n.nspname into v_schema
      from unnest(p_schemas) with ordinality as s(name, ord)
      join pg_namespace n on n.nspname = s.name
      join pg_class c on c.relnamespace = n.oid and c.relname = p_table and c.relkind in ('r', 'p')
     order by s.ord limit 1;
    if v_schema is null then
      return null;
    end if;
  end if;
  insert into pgstack.webhooks (url, events, table_schema, table_name, secret_sealed)
  values (p_url, p_events, v_schema, p_table, p_secret_sealed) returning * into w;
  if v_schema is not null and not exists (
      select from pg_trigger
       where tgrelid = format('%I.%I', v_schema, p_table)::regclass and tgname = 'pgstack_webhook') then
    execute format('create trigger pgstack_webhook after insert or update or delete on %I.%I '
                   'for each row execute function pgstack.webhook_capture()', v_schema, p_table);
  end if;
  return pgstack.webhook_json(w);
end
$$;

-- Deletes a webhook (its queued deliveries with it); the last webhook of a
-- table takes the trigger with it. False when there is no such webhook.
create or replace function pgstack.webhook_delete(p_id uuid) returns boolean
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_schema text;
  v_table text;
begin
  lock table pgstack.webhooks in share row exclusive mode;
  delete from pgstack.webhooks where id = p_id returning table_schema, table_name
    into v_schema, v_table;
  if not found then
    return false;
  end if;
  if v_schema is not null
     and not exists (select from pgstack.webhooks where table_schema = v_schema and table_name = v_table)
     and to_regclass(format('%I.%I', v_schema, v_table)) is not null then
    execute format('drop trigger if exists pgstack_webhook on %I.%I', v_schema, v_table);
  end if;
  return true;
end
$$;

create or replace function pgstack.webhook_list() returns json
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce(json_agg(pgstack.webhook_json(w) order by w.created_at, w.id), '[]')
    from pgstack.webhooks w
$$;

-- The most recent deliveries of a webhook with their attempts; null when
-- there is no such webhook.
create or replace function pgstack.webhook_delivery_log(p_id uuid, p_limit integer) returns json
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select case when exists (select from pgstack.webhooks where id = p_id) then
    coalesce((select json_agg(json_build_object(
        'id', d.id, 'event', d.event, 'table', d.table_name, 'state',
        case d.state when 'sending' then 'queued' else d.state end,
        'attempts', d.attempts, 'last_status', d.last_status, 'last_error', d.last_error,
        'created_at', d.created_at, 'settled_at', d.settled_at,
        'attempt_log', (select coalesce(json_agg(json_build_object('attempt', a.attempt, 'at', a.at,
                          'status', a.status, 'error', a.error, 'duration_ms', a.duration_ms)
                          order by a.attempt), '[]')
                          from pgstack.webhook_attempts a where a.delivery_id = d.id))
        order by d.id desc)
      from (select * from pgstack.webhook_deliveries where webhook_id = p_id
             order by id desc limit p_limit) d), '[]')
  end
$$;

-- Queues a dead delivery again with fresh attempts: 'queued', or
-- 'not_found' / 'not_dead'.
create or replace function pgstack.webhook_retry(p_id uuid, p_delivery bigint) returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_state text;
begin
  select state into v_state from pgstack.webhook_deliveries
   where id = p_delivery and webhook_id = p_id for update;
  if not found then
    return 'not_found';
  end if;
  if v_state <> 'dead' then
    return 'not_dead';
  end if;
  update pgstack.webhook_deliveries
     set state = 'queued', attempts = 0, next_attempt_at = now(), lease_until = null,
         settled_at = null
   where id = p_delivery;
  perform pg_notify('pgstack_webhooks', '');
  return 'queued';
end
$$;

-- The daemon's side. Claims up to p_limit due deliveries (queued and due,
-- or sending with an expired lease: a daemon died mid-attempt) for
-- p_lease_s seconds; SKIP LOCKED lets several daemons share the outbox.
create or replace function pgstack.webhook_claim(p_limit integer, p_lease_s integer)
returns table (id bigint, attempt integer, url text, secret_sealed text, body text)
language sql volatile security definer set search_path = pg_catalog, pg_temp
as $$
  with due as (
    select d.id from pgstack.webhook_deliveries d
     where d.state in ('queued', 'sending') and d.next_attempt_at <= now()
       and (d.state = 'queued' or d.lease_until < now())
     order by d.next_attempt_at, d.id
     limit p_limit
       for update skip locked),
  claimed as (
    update pgstack.webhook_deliveries d
       set state = 'sending', attempts = d.attempts + 1,
           lease_until = now() + make_interval(secs => p_lease_s),
           next_attempt_at = now() + make_interval(secs => p_lease_s)
      from due where d.id = due.id
    returning d.id, d.attempts, d.webhook_id, d.body)
  select c.id, c.attempts, w.url, w.secret_sealed, c.body
    from claimed c join pgstack.webhooks w on w.id = c.webhook_id
$$;

-- Records attempts' outcomes and moves each delivery on, p being a JSON
-- array of {id, attempt, status, error, duration_ms, next, retry_ms}: next
-- is 'delivered', 'dead' or 'retry' (then due again after retry_ms). One
-- call settles a batch; a delivery deleted meanwhile (its webhook was) is
-- skipped, and the rows are locked first so a concurrent delete waits.
create or replace function pgstack.webhook_settle(p jsonb) returns void
language sql volatile security definer set search_path = pg_catalog, pg_temp
as $$
  with o as (
    select * from jsonb_to_recordset(p) as x(id bigint, attempt integer, status integer,
                                             error text, duration_ms integer, next text,
                                             retry_ms integer)),
  live as (
    select d.id from pgstack.webhook_deliveries d where d.id in (select o.id from o)
       for key share),
  logged as (
    insert into pgstack.webhook_attempts (delivery_id, attempt, status, error, duration_ms)
    select o.id, o.attempt, o.status, o.error, o.duration_ms from o join live on live.id = o.id
    on conflict (delivery_id, attempt) do update
       set at = now(), status = excluded.status, error = excluded.error,
           duration_ms = excluded.duration_ms
    returning 1)
  update pgstack.webhook_deliveries d
     set state = case o.next when 'retry' then 'queued' else o.next end,
         last_status = o.status, last_error = o.error, lease_until = null,
         next_attempt_at = case o.next when 'retry'
                             then now() + make_interval(secs => o.retry_ms / 1000.0)
                             else d.next_attempt_at end,
         settled_at = case o.next when 'retry' then null else now() end
    from o join live on live.id = o.id
   where d.id = o.id and d.attempts = o.attempt and d.state = 'sending';
$$;

-- Deletes settled deliveries older than p_days days.
create or replace function pgstack.webhook_prune(p_days integer) returns bigint
language sql volatile security definer set search_path = pg_catalog, pg_temp
as $$
  with gone as (
    delete from pgstack.webhook_deliveries
     where state in ('delivered', 'dead') and settled_at < now() - make_interval(days => p_days)
    returning 1)
  select count(*) from gone
$$;

-- Counts for the daemon's status output.
create or replace function pgstack.webhook_stats() returns json
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select json_build_object(
    'queued', count(*) filter (where state = 'queued'),
    'in_flight', count(*) filter (where state = 'sending'),
    'delivered', count(*) filter (where state = 'delivered'),
    'dead', count(*) filter (where state = 'dead'))
    from pgstack.webhook_deliveries
$$;

revoke execute on function pgstack.webhook_capture(), pgstack.webhook_json(pgstack.webhooks),
  pgstack.webhook_register(text, text[], text, text, text[]), pgstack.webhook_delete(uuid),
  pgstack.webhook_list(), pgstack.webhook_delivery_log(uuid, integer),
  pgstack.webhook_retry(uuid, bigint), pgstack.webhook_claim(integer, integer),
  pgstack.webhook_settle(jsonb),
  pgstack.webhook_prune(integer), pgstack.webhook_stats() from public;
grant execute on function pgstack.webhook_register(text, text[], text, text, text[]),
  pgstack.webhook_delete(uuid), pgstack.webhook_list(), pgstack.webhook_delivery_log(uuid, integer),
  pgstack.webhook_retry(uuid, bigint), pgstack.webhook_stats(),
  pgstack.webhook_claim(integer, integer),
  pgstack.webhook_settle(jsonb),
  pgstack.webhook_prune(integer) to service_role;
