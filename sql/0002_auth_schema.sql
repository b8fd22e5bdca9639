-- pgstack 0002: the data of the auth area (pgstack-auth), GoTrue-shaped.
--
-- pgstack_auth is the role the auth worker switches to; with service_role
-- it is the only role that reaches these tables (RLS is on, and only
-- pgstack_auth has a policy; service_role bypasses RLS). Tokens that grant
-- access (refresh tokens, one-time tokens) are stored only as SHA-256 hashes.

do $$
begin
  if not exists (select from pg_roles where rolname = 'pgstack_auth') then
    create role pgstack_auth nologin noinherit;
  end if;
end
$$;
grant pgstack_auth to authenticator;
grant usage on schema auth to pgstack_auth;

create table auth.users (
  id uuid primary key default gen_random_uuid(),
  email text check (email is null or length(email) <= 320),
  encrypted_password text,
  email_confirmed_at timestamptz,
  confirmation_sent_at timestamptz,
  recovery_sent_at timestamptz,
  email_change text,
  email_change_sent_at timestamptz,
  phone text,
  raw_user_meta_data jsonb not null default '{}',
  raw_app_meta_data jsonb not null default '{}',
  role text not null default 'authenticated'
    check (role in ('anon', 'authenticated', 'service_role')),
  is_anonymous boolean not null default false,
  banned_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on auth.users (lower(email)) where email is not null;

create table auth.identities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users on delete cascade,
  provider text not null,
  provider_id text not null,
  email text,
  identity_data jsonb not null default '{}',
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, provider_id)
);
create index identities_user_id on auth.identities (user_id);

create table auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users on delete cascade,
  user_agent text,
  ip text,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz
);
create index sessions_user_id on auth.sessions (user_id);

create table auth.refresh_tokens (
  id bigserial primary key,
  token_hash text not null unique,
  session_id uuid not null references auth.sessions on delete cascade,
  user_id uuid not null references auth.users on delete cascade,
  parent_hash text,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index refresh_tokens_session_id on auth.refresh_tokens (session_id);

create table auth.one_time_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users on delete cascade,
  token_type text not null
    check (token_type in ('confirmation', 'recovery', 'magiclink', 'email_change')),
  token_hash text not null unique,
  relates_to text not null,
  redirect_to text,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index one_time_tokens_user_id on auth.one_time_tokens (user_id);

create table auth.audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  user_id uuid,
  action text not null,
  ip text,
  detail jsonb not null default '{}'
);

-- Rate-limit counters shared by every worker on every host: one row per
-- bucket (kind + client address) and minute. Unlogged: losing them in a
-- crash only resets the counters.
create unlogged table auth.rate_limits (
  bucket text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (bucket, window_start)
);

do $$
declare t text;
begin
  foreach t in array array['users', 'identities', 'sessions', 'refresh_tokens',
                           'one_time_tokens', 'audit_log', 'rate_limits'] loop
    execute format('alter table auth.%I enable row level security', t);
    execute format('revoke all on auth.%I from public, anon, authenticated', t);
    execute format('grant select, insert, update, delete on auth.%I to pgstack_auth, service_role', t);
    execute format('create policy pgstack_auth_all on auth.%I to pgstack_auth using (true) with check (true)', t);
  end loop;
end
$$;
grant usage on all sequences in schema auth to pgstack_auth, service_role;

-- Counts one request in the bucket's current minute; when the sliding-window
-- estimate (this minute's hits plus the previous minute's, weighted by the
-- part of it still inside the last 60 s) exceeds max_hits, raises SQLSTATE
-- PS429 with the seconds until the current minute ends as the hint.
create or replace function auth.rate_limit_hit(bucket text, max_hits integer) returns void
language plpgsql
as $$
#variable_conflict use_column
declare
  win timestamptz := date_trunc('minute', now());
  n integer;
  previous integer;
  weight double precision := 1 - extract(epoch from now() - date_trunc('minute', now())) / 60;
begin
  insert into auth.rate_limits as r (bucket, window_start, hits) values (bucket, win, 1)
  on conflict (bucket, window_start) do update set hits = r.hits + 1
  returning hits into n;
  select hits into previous from auth.rate_limits r
    where r.bucket = rate_limit_hit.bucket and r.window_start = win - interval '1 minute';
  if n + coalesce(previous, 0) * weight > max_hits then
    raise exception 'rate limit exceeded' using errcode = 'PS429',
      hint = greatest(1, ceil(extract(epoch from (win + interval '1 minute' - now()))))::int::text;
  end if;
  if random() < 0.01 then
    delete from auth.rate_limits where window_start < win - interval '2 minutes';
  end if;
end
$$;

-- The user object as GoTrue renders it (supabase-js reads these fields).
create or replace function auth.user_json(u auth.users) returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'id', u.id,
    'aud', 'authenticated',
    'role', u.role,
    'email', coalesce(u.email, ''),
    'email_confirmed_at', u.email_confirmed_at,
    'confirmed_at', u.email_confirmed_at,
    'phone', coalesce(u.phone, ''),
    'new_email', u.email_change,
    'last_sign_in_at', u.last_sign_in_at,
    'app_metadata', u.raw_app_meta_data,
    'user_metadata', u.raw_user_meta_data,
    'identities', coalesce((
      select jsonb_agg(jsonb_build_object(
        'id', i.id, 'identity_id', i.id, 'user_id', i.user_id, 'provider', i.provider,
        'identity_data', i.identity_data, 'email', i.email,
        'last_sign_in_at', i.last_sign_in_at, 'created_at', i.created_at,
        'updated_at', i.updated_at) order by i.created_at)
      from auth.identities i where i.user_id = u.id), '[]'::jsonb),
    'is_anonymous', u.is_anonymous,
    'banned_until', u.banned_until,
    'created_at', u.created_at,
    'updated_at', u.updated_at)
$$;
grant execute on function auth.user_json(auth.users), auth.rate_limit_hit(text, integer)
  to pgstack_auth, service_role;

-- The claims of an access token for user u in session sid (the worker signs
-- them with JWT_SECRET).
create or replace function auth.access_claims(u auth.users, sid uuid, expiry integer, method text)
returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'iss', 'pgstack', 'sub', u.id, 'aud', 'authenticated', 'role', u.role,
    'email', coalesce(u.email, ''), 'phone', coalesce(u.phone, ''),
    'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data,
    'session_id', sid, 'is_anonymous', u.is_anonymous, 'aal', 'aal1',
    'amr', jsonb_build_array(jsonb_build_object(
      'method', method, 'timestamp', extract(epoch from now())::bigint)),
    'iat', extract(epoch from now())::bigint,
    'exp', extract(epoch from now())::bigint + expiry)
$$;

-- What every sign-in returns: the user, the access-token claims and expiry.
create type auth.session_grant as (user_json text, claims text, expires_at bigint);

-- Starts a session for a user: session row, first refresh token (its hash),
-- last_sign_in_at, audit entry.
create or replace function auth.start_session(
  uid uuid, refresh_hash text, refresh_ttl integer, expiry integer,
  client_ip text, user_agent text, method text)
returns setof auth.session_grant
language plpgsql
as $$
#variable_conflict use_column
declare
  sid uuid;
  u auth.users;
  claims jsonb;
begin
  insert into auth.sessions (user_id, user_agent, ip) values (uid, user_agent, client_ip)
    returning id into sid;
  insert into auth.refresh_tokens (token_hash, session_id, user_id, expires_at)
    values (refresh_hash, sid, uid, now() + make_interval(secs => refresh_ttl));
  update auth.users set last_sign_in_at = now() where id = uid returning * into u;
  insert into auth.identities (user_id, provider, provider_id, email, last_sign_in_at)
    select uid, 'email', uid::text, u.email, now()
    where method = 'password' and u.email is not null
  on conflict (provider, provider_id) do update set last_sign_in_at = now();
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'login', client_ip, jsonb_build_object('method', method));
  claims := auth.access_claims(u, sid, expiry, method);
  return query select auth.user_json(u)::text, claims::text, (claims ->> 'exp')::bigint;
end
$$;

-- Creates a user (email/password, or anonymous when email is null) and, when
-- start is true, their first session. Returns no row when the email is
-- already registered.
create or replace function auth.sign_up(
  new_email text, password_hash text, metadata jsonb, confirmed boolean, anonymous boolean,
  user_role text, start boolean, refresh_hash text, refresh_ttl integer, expiry integer,
  client_ip text, user_agent text)
returns table (user_id uuid, user_json text, claims text, expires_at bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
  u auth.users;
begin
  insert into auth.users (email, encrypted_password, raw_user_meta_data, raw_app_meta_data,
                          email_confirmed_at, is_anonymous, role)
  values (lower(new_email), password_hash, coalesce(metadata, '{}'),
          jsonb_build_object('provider', case when anonymous then 'anonymous' else 'email' end,
                             'providers', jsonb_build_array(
                               case when anonymous then 'anonymous' else 'email' end)),
          case when confirmed then now() end, anonymous, user_role)
  on conflict do nothing
  returning * into u;
  if u.id is null then
    return;
  end if;
  if new_email is not null then
    insert into auth.identities (user_id, provider, provider_id, email, identity_data)
    values (u.id, 'email', u.id::text, u.email,
            jsonb_build_object('sub', u.id, 'email', u.email, 'email_verified', confirmed));
  end if;
  insert into auth.audit_log (user_id, action, ip) values (u.id, 'user_signedup', client_ip);
  if start then
    return query select u.id, g.user_json, g.claims, g.expires_at
      from auth.start_session(u.id, refresh_hash, refresh_ttl, expiry, client_ip, user_agent,
                              case when anonymous then 'anonymous' else 'password' end) g;
  else
    return query select u.id, auth.user_json(u)::text, null::text, null::bigint;
  end if;
end
$$;

-- Rotates a refresh token. status: ok | invalid | expired | banned | reused.
-- A token rotated less than reuse_interval seconds ago may be used again
-- (concurrent tabs); reuse after that revokes the whole session.
create or replace function auth.refresh_rotate(
  old_hash text, new_hash text, refresh_ttl integer, reuse_interval integer, expiry integer,
  client_ip text)
returns table (status text, user_json text, claims text, expires_at bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
  t auth.refresh_tokens;
  u auth.users;
  c jsonb;
begin
  select * into t from auth.refresh_tokens where token_hash = old_hash for update;
  if t.id is null then
    return query select 'invalid', null::text, null::text, null::bigint;
    return;
  end if;
  if t.expires_at <= now() then
    return query select 'expired', null::text, null::text, null::bigint;
    return;
  end if;
  if t.revoked_at is not null and t.revoked_at < now() - make_interval(secs => reuse_interval) then
    delete from auth.sessions where id = t.session_id;
    insert into auth.audit_log (user_id, action, ip, detail)
      values (t.user_id, 'token_reuse_detected', client_ip,
              jsonb_build_object('session_id', t.session_id));
    return query select 'reused', null::text, null::text, null::bigint;
    return;
  end if;
  select * into u from auth.users where id = t.user_id;
  if u.banned_until is not null and u.banned_until > now() then
    return query select 'banned', null::text, null::text, null::bigint;
    return;
  end if;
  update auth.refresh_tokens set revoked_at = coalesce(revoked_at, now()) where id = t.id;
  insert into auth.refresh_tokens (token_hash, session_id, user_id, parent_hash, expires_at)
    values (new_hash, t.session_id, t.user_id, old_hash,
            now() + make_interval(secs => refresh_ttl));
  update auth.sessions set refreshed_at = now() where id = t.session_id;
  c := auth.access_claims(u, t.session_id, expiry, 'token_refresh');
  return query select 'ok', auth.user_json(u)::text, c::text, (c ->> 'exp')::bigint;
end
$$;

grant execute on function auth.access_claims(auth.users, uuid, integer, text),
  auth.start_session(uuid, text, integer, integer, text, text, text),
  auth.sign_up(text, text, jsonb, boolean, boolean, text, boolean, text, integer, integer, text, text),
  auth.refresh_rotate(text, text, integer, integer, integer, text)
  to pgstack_auth, service_role;
revoke execute on function auth.access_claims(auth.users, uuid, integer, text),
  auth.start_session(uuid, text, integer, integer, text, text, text),
  auth.sign_up(text, text, jsonb, boolean, boolean, text, boolean, text, integer, integer, text, text),
  auth.refresh_rotate(text, text, integer, integer, integer, text),
  auth.user_json(auth.users), auth.rate_limit_hit(text, integer)
  from public;
