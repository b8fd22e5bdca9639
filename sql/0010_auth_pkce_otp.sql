-- pgstack 0010: the client's PKCE flow (supabase-js flowType "pkce", the
-- default of @supabase/ssr) and 6-digit email codes, on top of 0002, 0003
-- and 0005.
--
-- PKCE: a client that starts a flow with a code_challenge gets, at its
-- end, ?code=<auth code> on its redirect instead of tokens, and trades the
-- code and its code_verifier for a session at POST /token?grant_type=pkce.
-- auth.flow_state holds what the exchange needs: the code's SHA-256 hash
-- only, the challenge, the flow that made it (authentication_method) and
-- either the user whose address a mailed link proved, or — for OAuth — the
-- identity the provider vouched for (the account is chosen at the exchange
-- by auth.oauth_sign_in, exactly as for the implicit flow). A flow state
-- is used once, lives 10 minutes, and a wrong verifier voids it (GoTrue
-- keeps it; a code in the wrong hands gets one try).
--
-- Email codes: every mailed one-time token also carries a 6-digit code,
-- stored as a keyed hash (HMAC-SHA256 under a key derived from JWT_SECRET,
-- so a copy of the table alone does not give the codes away) and compared
-- in constant time. After 5 wrong codes the token is void, its link too.

create table auth.flow_state (
  id uuid primary key default gen_random_uuid(),
  auth_code_hash text not null unique,
  code_challenge text not null check (length(code_challenge) between 43 and 128),
  code_challenge_method text not null check (code_challenge_method in ('s256', 'plain')),
  authentication_method text not null,
  provider_type text not null,
  user_id uuid references auth.users on delete cascade,
  provider_id text,
  provider_email text,
  provider_email_verified boolean,
  identity_data jsonb,
  provider_tokens_sealed text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check ((user_id is null) <> (provider_id is null))
);
create index flow_state_expires_at on auth.flow_state (expires_at);
alter table auth.flow_state enable row level security;
revoke all on auth.flow_state from public, anon, authenticated;
grant select, insert, update, delete on auth.flow_state to pgstack_auth, service_role;
create policy pgstack_auth_all on auth.flow_state to pgstack_auth using (true) with check (true);

alter table auth.one_time_tokens
  add column code_challenge text check (length(code_challenge) between 43 and 128),
  add column code_challenge_method text check (code_challenge_method in ('s256', 'plain')),
  add column otp_hash text,
  add column otp_attempts integer not null default 0;
create index one_time_tokens_relates_to on auth.one_time_tokens (relates_to)
  where used_at is null;
-- reauthentication: a code mailed to a signed-in user (GET /reauthenticate)
alter table auth.one_time_tokens drop constraint one_time_tokens_token_type_check;
alter table auth.one_time_tokens add constraint one_time_tokens_token_type_check
  check (token_type in ('confirmation', 'recovery', 'magiclink', 'email_change',
                        'reauthentication', 'invite'));

-- Attaches the client's PKCE challenge and the 6-digit code's keyed hash
-- to the token just stored (same transaction) under hash_hex.
create or replace function auth.one_time_token_extras(
  hash_hex text, challenge text, challenge_method text, code_hash text)
returns void
language sql
as $$
  update auth.one_time_tokens o set code_challenge = challenge,
    code_challenge_method = lower(challenge_method), otp_hash = code_hash
  where o.token_hash = hash_hex
$$;

-- Equality of two hex digests without an early exit.
create or replace function auth.digest_equal(a text, b text) returns boolean
language plpgsql immutable
as $$
declare
  x bytea := decode(a, 'hex');
  y bytea := decode(b, 'hex');
  diff integer := 0;
begin
  if length(x) <> length(y) then
    return false;
  end if;
  for i in 0 .. length(x) - 1 loop
    diff := diff | (get_byte(x, i) # get_byte(y, i));
  end loop;
  return diff = 0;
end
$$;

-- Is the token t (of user u) usable for for_email? ok | invalid | banned |
-- email_exists (as auth.verify_one_time_token decides).
create or replace function auth.one_time_token_status(
  t auth.one_time_tokens, u auth.users, for_email text)
returns text
language sql stable
as $$
  select case
    when t.id is null or t.used_at is not null or t.expires_at <= now()
         or t.otp_attempts >= 5
         or (for_email is not null and t.relates_to <> lower(for_email))
         or (t.token_type = 'email_change' and u.email_change is distinct from t.relates_to)
         or (t.token_type <> 'email_change' and lower(u.email) is distinct from t.relates_to)
      then 'invalid'
    when u.banned_until is not null and u.banned_until > now() then 'banned'
    when t.token_type = 'email_change' and exists (
           select from auth.users o where lower(o.email) = t.relates_to and o.id <> u.id)
      then 'email_exists'
    else 'ok'
  end
$$;

-- Uses token t: the mailed address is now proven (auth.verify_one_time_token
-- in 0003 describes what that changes). Returns the user as it is now.
create or replace function auth.one_time_token_use(t auth.one_time_tokens, client_ip text)
returns auth.users
language plpgsql
as $$
#variable_conflict use_column
declare
  u auth.users;
  old_email text;
begin
  select * into u from auth.users o where o.id = t.user_id for update;
  update auth.one_time_tokens o set used_at = now() where o.id = t.id;
  if t.token_type = 'email_change' then
    old_email := u.email;
    update auth.users o set email = o.email_change, email_change = null,
      email_change_sent_at = null, email_confirmed_at = coalesce(o.email_confirmed_at, now()),
      is_anonymous = false,
      role = case when o.is_anonymous and o.role = 'anon' then 'authenticated' else o.role end,
      raw_app_meta_data = case when o.is_anonymous then o.raw_app_meta_data ||
        '{"provider": "email", "providers": ["email"]}' else o.raw_app_meta_data end,
      updated_at = now()
      where o.id = u.id returning * into u;
    insert into auth.identities (user_id, provider, provider_id, email, identity_data)
      values (u.id, 'email', u.id::text, u.email,
              jsonb_build_object('sub', u.id, 'email', u.email, 'email_verified', true))
    on conflict (provider, provider_id) do update set email = excluded.email,
      identity_data = auth.identities.identity_data || excluded.identity_data,
      updated_at = now();
    delete from auth.one_time_tokens o where o.user_id = u.id and o.used_at is null;
    insert into auth.audit_log (user_id, action, ip, detail)
      values (u.id, 'email_changed', client_ip,
              jsonb_build_object('from', old_email, 'to', u.email));
  elsif u.email_confirmed_at is null then
    update auth.users o set email_confirmed_at = now(),
      encrypted_password = case when t.token_type = 'confirmation' then o.encrypted_password end,
      updated_at = now()
      where o.id = u.id returning * into u;
    update auth.identities i set identity_data = i.identity_data || '{"email_verified": true}'
      where i.user_id = u.id and i.provider = 'email';
    insert into auth.audit_log (user_id, action, ip, detail)
      values (u.id, 'email_confirmed', client_ip, jsonb_build_object('via', t.token_type));
  end if;
  return u;
end
$$;

-- The session method (amr) of a token kind.
create or replace function auth.one_time_token_method(kind text) returns text
language sql immutable
as $$ select case kind when 'confirmation' then 'otp' else kind end $$;

-- 0003's verification, now on the helpers above (same behaviour; a token
-- voided by wrong codes no longer verifies).
create or replace function auth.verify_one_time_token(
  hash_hex text, kinds text[], for_email text, new_password_hash text, refresh_hash text,
  refresh_ttl integer, expiry integer, client_ip text, user_agent text)
returns table (status text, kind text, redirect text, user_json text, claims text,
               session_expires_at bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
  t auth.one_time_tokens;
  u auth.users;
  st text;
begin
  select * into t from auth.one_time_tokens o
    where o.token_hash = hash_hex and o.token_type = any (kinds) for update;
  if t.id is not null then
    select * into u from auth.users o where o.id = t.user_id for update;
  end if;
  st := auth.one_time_token_status(t, u, for_email);
  if st <> 'ok' then
    return query select st, null::text, null::text, null::text, null::text, null::bigint;
    return;
  end if;
  u := auth.one_time_token_use(t, client_ip);
  if new_password_hash is not null then
    update auth.users o set encrypted_password = new_password_hash, updated_at = now()
      where o.id = u.id returning * into u;
    delete from auth.sessions s where s.user_id = u.id;
    delete from auth.one_time_tokens o
      where o.user_id = u.id and o.token_type = 'recovery' and o.used_at is null;
    insert into auth.audit_log (user_id, action, ip, detail)
      values (u.id, 'password_changed', client_ip, '{"via": "recovery"}');
    return query select 'ok', t.token_type, t.redirect_to, auth.user_json(u)::text,
                        null::text, null::bigint;
    return;
  end if;
  return query select 'ok', t.token_type, t.redirect_to, g.user_json, g.claims, g.expires_at
    from auth.start_session(u.id, refresh_hash, refresh_ttl, expiry, client_ip, user_agent,
                            auth.one_time_token_method(t.token_type)) g;
end
$$;

-- The live token of one of kinds mailed to for_email whose code has the
-- keyed hash code_hash. A wrong code counts against every live token of
-- those kinds for that address; the fifth voids them.
create or replace function auth.one_time_token_by_code(
  for_email text, kinds text[], code_hash text)
returns auth.one_time_tokens
language plpgsql
as $$
#variable_conflict use_column
declare
  t auth.one_time_tokens;
  hit auth.one_time_tokens;
begin
  for t in select * from auth.one_time_tokens o
             where o.relates_to = lower(for_email) and o.token_type = any (kinds)
               and o.used_at is null and o.otp_hash is not null
             order by o.created_at for update loop
    if t.otp_attempts < 5 and auth.digest_equal(t.otp_hash, code_hash) and hit.id is null then
      hit := t;
    end if;
  end loop;
  if hit.id is null then
    update auth.one_time_tokens o set otp_attempts = o.otp_attempts + 1
      where o.relates_to = lower(for_email) and o.token_type = any (kinds)
        and o.used_at is null and o.otp_hash is not null;
  end if;
  return hit;
end
$$;

-- GET /verify, GET /magiclink/verify and POST /verify: uses the token
-- whose secret hashes to hash_hex, or (hash_hex null) the one mailed to
-- for_email whose 6-digit code has the keyed hash code_hash. When the
-- token carries a PKCE challenge and auth_code_hash is given (a link opened
-- in the browser), no session starts: a flow state for the user is stored
-- under auth_code_hash and pkce is true; otherwise a session starts.
create or replace function auth.verify_email_flow(
  hash_hex text, kinds text[], for_email text, code_hash text, refresh_hash text,
  refresh_ttl integer, expiry integer, client_ip text, user_agent text,
  auth_code_hash text, code_ttl integer)
returns table (status text, kind text, redirect text, user_json text, claims text,
               session_expires_at bigint, pkce boolean)
language plpgsql
as $$
#variable_conflict use_column
declare
  t auth.one_time_tokens;
  u auth.users;
  st text;
begin
  if hash_hex is not null then
    select * into t from auth.one_time_tokens o
      where o.token_hash = hash_hex and o.token_type = any (kinds) for update;
  else
    t := auth.one_time_token_by_code(for_email, kinds, code_hash);
  end if;
  if t.id is not null then
    select * into u from auth.users o where o.id = t.user_id for update;
  end if;
  st := auth.one_time_token_status(t, u, for_email);
  if st <> 'ok' then
    return query select st, null::text, null::text, null::text, null::text, null::bigint, false;
    return;
  end if;
  u := auth.one_time_token_use(t, client_ip);
  if t.code_challenge is not null and auth_code_hash is not null then
    insert into auth.flow_state (auth_code_hash, code_challenge, code_challenge_method,
                                 authentication_method, provider_type, user_id, expires_at)
      values (auth_code_hash, t.code_challenge, t.code_challenge_method,
              auth.one_time_token_method(t.token_type), 'email', u.id,
              now() + make_interval(secs => code_ttl));
    return query select 'ok', t.token_type, t.redirect_to, auth.user_json(u)::text, null::text,
                        null::bigint, true;
    return;
  end if;
  return query select 'ok', t.token_type, t.redirect_to, g.user_json, g.claims, g.expires_at,
                      false
    from auth.start_session(u.id, refresh_hash, refresh_ttl, expiry, client_ip, user_agent,
                            auth.one_time_token_method(t.token_type)) g;
end
$$;

-- The end of an OAuth sign-in in the PKCE flow: the verified identity is
-- parked under the auth code; the exchange signs it in.
create or replace function auth.oauth_park(
  auth_code_hash text, challenge text, challenge_method text, provider_name text,
  subject text, claimed_email text, email_verified boolean, identity jsonb,
  tokens_sealed text, code_ttl integer)
returns void
language sql
as $$
  insert into auth.flow_state (auth_code_hash, code_challenge, code_challenge_method,
                               authentication_method, provider_type, provider_id,
                               provider_email, provider_email_verified, identity_data,
                               provider_tokens_sealed, expires_at)
  values (auth_code_hash, challenge, lower(challenge_method), 'oauth', provider_name, subject,
          claimed_email, email_verified, identity, tokens_sealed,
          now() + make_interval(secs => code_ttl));
  delete from auth.flow_state f where f.expires_at < now() - interval '1 hour';
$$;

-- POST /token?grant_type=pkce. status: ok | not_found | expired |
-- bad_verifier | banned. verifier_s256 is base64url(SHA-256(verifier)),
-- computed by the worker; the stored challenge is no secret (it travelled
-- through the browser), so comparing it with = leaks nothing. The flow
-- state is deleted whatever the outcome, except when it is not found.
create or replace function auth.pkce_exchange(
  auth_code_hash text, verifier text, verifier_s256 text, refresh_hash text,
  refresh_ttl integer, expiry integer, client_ip text, user_agent text)
returns table (status text, user_json text, claims text, expires_at bigint, method text,
               provider_tokens_sealed text)
language plpgsql
as $$
#variable_conflict use_column
declare
  f auth.flow_state;
  u auth.users;
begin
  delete from auth.flow_state o where o.auth_code_hash = pkce_exchange.auth_code_hash
    returning * into f;
  if f.id is null then
    return query select 'not_found', null::text, null::text, null::bigint, null::text, null::text;
    return;
  end if;
  if f.expires_at <= now() then
    return query select 'expired', null::text, null::text, null::bigint, null::text, null::text;
    return;
  end if;
  if (f.code_challenge_method = 's256' and f.code_challenge <> verifier_s256)
     or (f.code_challenge_method = 'plain' and f.code_challenge <> verifier) then
    insert into auth.audit_log (user_id, action, ip, detail)
      values (f.user_id, 'pkce_bad_verifier', client_ip,
              jsonb_build_object('flow', f.authentication_method));
    return query select 'bad_verifier', null::text, null::text, null::bigint, null::text,
                        null::text;
    return;
  end if;
  if f.provider_id is not null then
    return query select s.status, s.user_json, s.claims, s.expires_at, 'oauth',
                        f.provider_tokens_sealed
      from auth.oauth_sign_in(f.provider_type, f.provider_id, f.provider_email,
                              f.provider_email_verified, f.identity_data, refresh_hash,
                              refresh_ttl, expiry, client_ip, user_agent) s;
    return;
  end if;
  select * into u from auth.users o where o.id = f.user_id;
  if u.banned_until is not null and u.banned_until > now() then
    return query select 'banned', null::text, null::text, null::bigint, null::text, null::text;
    return;
  end if;
  return query select 'ok', g.user_json, g.claims, g.expires_at, f.authentication_method,
                      null::text
    from auth.start_session(u.id, refresh_hash, refresh_ttl, expiry, client_ip, user_agent,
                            f.authentication_method) g;
end
$$;

-- POST /resend: the user a new mail goes to, as (id, address mailed):
-- an unconfirmed sign-up of that address, or the pending new address of
-- the user whose current address it is. No row: nothing to resend.
create or replace function auth.resend_target(for_email text, kind text)
returns table (user_id uuid, send_to text)
language sql stable
as $$
  select u.id, case kind when 'signup' then u.email else u.email_change end
  from auth.users u
  where lower(u.email) = lower(for_email)
    and ((kind = 'signup' and u.email_confirmed_at is null and not u.is_anonymous)
         or (kind = 'email_change' and u.email_change is not null))
$$;

-- PUT /user with a new password: status ok | needed | invalid. With a
-- nonce (code_hash: its keyed hash) the user's live reauthentication code
-- must match (and is used up; a wrong one counts as an attempt). Without
-- one, required is the SECURE_PASSWORD_CHANGE rule: the session (sid)
-- must have started less than 24 hours ago, as GoTrue decides.
create or replace function auth.reauthentication_check(
  uid uuid, sid text, code_hash text, required boolean)
returns text
language plpgsql
as $$
#variable_conflict use_column
declare
  t auth.one_time_tokens;
  mail text;
begin
  if code_hash is not null then
    select lower(u.email) into mail from auth.users u where u.id = uid;
    t := auth.one_time_token_by_code(mail, '{reauthentication}', code_hash);
    if t.id is null or t.user_id <> uid or t.expires_at <= now() then
      return 'invalid';
    end if;
    update auth.one_time_tokens o set used_at = now() where o.id = t.id;
    return 'ok';
  end if;
  if required and not exists (
       select from auth.sessions s where s.id::text = sid and s.user_id = uid
         and s.created_at > now() - interval '24 hours') then
    return 'needed';
  end if;
  return 'ok';
end
$$;

grant execute on function
  auth.resend_target(text, text),
  auth.reauthentication_check(uuid, text, text, boolean)
  to pgstack_auth, service_role;
revoke execute on function
  auth.resend_target(text, text),
  auth.reauthentication_check(uuid, text, text, boolean)
  from public;

grant execute on function
  auth.one_time_token_extras(text, text, text, text),
  auth.digest_equal(text, text),
  auth.one_time_token_status(auth.one_time_tokens, auth.users, text),
  auth.one_time_token_use(auth.one_time_tokens, text),
  auth.one_time_token_method(text),
  auth.one_time_token_by_code(text, text[], text),
  auth.verify_email_flow(text, text[], text, text, text, integer, integer, text, text, text,
                         integer),
  auth.oauth_park(text, text, text, text, text, text, boolean, jsonb, text, integer),
  auth.pkce_exchange(text, text, text, text, integer, integer, text, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.one_time_token_extras(text, text, text, text),
  auth.digest_equal(text, text),
  auth.one_time_token_status(auth.one_time_tokens, auth.users, text),
  auth.one_time_token_use(auth.one_time_tokens, text),
  auth.one_time_token_method(text),
  auth.one_time_token_by_code(text, text[], text),
  auth.verify_email_flow(text, text[], text, text, text, integer, integer, text, text, text,
                         integer),
  auth.oauth_park(text, text, text, text, text, text, boolean, jsonb, text, integer),
  auth.pkce_exchange(text, text, text, text, integer, integer, text, text)
  from public;

-- ------------------------------------------------------------------ MFA
-- TOTP factors (supabase-js auth.mfa.*). A session has an assurance level
-- (aal1, aal2 once a factor was verified in it) and the methods that
-- authenticated it (amr); both go into every access token of the session,
-- refreshes included. The TOTP secret is stored sealed (AES-256-GCM under
-- a key derived from JWT_SECRET, src/auth/secret_box.h); the codes are
-- checked by the worker, and last_used_step makes each code work once.

alter table auth.sessions add column aal text not null default 'aal1'
  check (aal in ('aal1', 'aal2'));

create table auth.session_amr (
  session_id uuid not null references auth.sessions on delete cascade,
  method text not null,
  at timestamptz not null default now(),
  primary key (session_id, method)
);

create table auth.mfa_factors (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users on delete cascade,
  friendly_name text check (length(friendly_name) <= 120),
  factor_type text not null check (factor_type = 'totp'),
  status text not null default 'unverified' check (status in ('unverified', 'verified')),
  secret_sealed text not null,
  last_used_step bigint not null default -1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index mfa_factors_user_id on auth.mfa_factors (user_id);
create unique index mfa_factors_user_name on auth.mfa_factors (user_id, friendly_name)
  where friendly_name is not null and friendly_name <> '';

create table auth.mfa_challenges (
  id uuid primary key default gen_random_uuid(),
  factor_id uuid not null references auth.mfa_factors on delete cascade,
  ip text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  verified_at timestamptz,
  attempts integer not null default 0
);
create index mfa_challenges_factor_id on auth.mfa_challenges (factor_id);

do $$
declare t text;
begin
  foreach t in array array['session_amr', 'mfa_factors', 'mfa_challenges'] loop
    execute format('alter table auth.%I enable row level security', t);
    execute format('revoke all on auth.%I from public, anon, authenticated', t);
    execute format('grant select, insert, update, delete on auth.%I to pgstack_auth, service_role', t);
    execute format('create policy pgstack_auth_all on auth.%I to pgstack_auth using (true) with check (true)', t);
  end loop;
end
$$;

-- The claims of an access token (0002's, now with the session's aal and
-- amr; method is the fallback amr of a session that has none recorded),
-- before the custom access-token hook (auth.access_claims, below).
create or replace function auth.base_claims(u auth.users, sid uuid, expiry integer, method text)
returns jsonb
language sql stable
as $$
  select jsonb_build_object(
    'iss', 'pgstack', 'sub', u.id, 'aud', 'authenticated', 'role', u.role,
    'email', coalesce(u.email, ''), 'phone', coalesce(u.phone, ''),
    'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data,
    'session_id', sid, 'is_anonymous', u.is_anonymous,
    'aal', coalesce((select s.aal from auth.sessions s where s.id = sid), 'aal1'),
    'amr', coalesce(
      (select jsonb_agg(jsonb_build_object('method', a.method,
                                           'timestamp', extract(epoch from a.at)::bigint)
                        order by a.at desc)
         from auth.session_amr a where a.session_id = sid),
      jsonb_build_array(jsonb_build_object(
        'method', method, 'timestamp', extract(epoch from now())::bigint))),
    'iat', extract(epoch from now())::bigint,
    'exp', extract(epoch from now())::bigint + expiry)
$$;

-- 0002's start_session, recording the sign-in method as the session's amr.
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
  insert into auth.session_amr (session_id, method) values (sid, method);
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

-- A factor as GoTrue renders it.
create or replace function auth.factor_json(f auth.mfa_factors) returns jsonb
language sql stable
as $$
  select jsonb_build_object('id', f.id, 'friendly_name', coalesce(f.friendly_name, ''),
                            'factor_type', f.factor_type, 'status', f.status,
                            'created_at', f.created_at, 'updated_at', f.updated_at)
$$;

-- 0002's user object, with "factors" when the user has any (as GoTrue,
-- which leaves the key out otherwise).
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
  || coalesce((select jsonb_build_object('factors', jsonb_agg(auth.factor_json(f)
                                                              order by f.created_at))
                 from auth.mfa_factors f where f.user_id = u.id
               having count(*) > 0), '{}'::jsonb)
$$;

-- POST /factors. status: ok | name_taken | too_many (10 factors).
create or replace function auth.mfa_enroll(uid uuid, name text, sealed text, client_ip text)
returns table (status text, factor jsonb)
language plpgsql
as $$
#variable_conflict use_column
declare
  f auth.mfa_factors;
begin
  perform from auth.users u where u.id = uid for update;
  if (select count(*) from auth.mfa_factors o where o.user_id = uid) >= 10 then
    return query select 'too_many', null::jsonb;
    return;
  end if;
  if name <> '' and exists (select from auth.mfa_factors o
                            where o.user_id = uid and o.friendly_name = name) then
    return query select 'name_taken', null::jsonb;
    return;
  end if;
  insert into auth.mfa_factors (user_id, friendly_name, factor_type, secret_sealed)
    values (uid, nullif(name, ''), 'totp', sealed) returning * into f;
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'mfa_enrolled', client_ip, jsonb_build_object('factor_id', f.id));
  return query select 'ok', auth.factor_json(f);
end
$$;

-- POST /factors/{id}/challenge: a challenge of the user's factor, or no row.
create or replace function auth.mfa_challenge(uid uuid, fid uuid, client_ip text, ttl integer)
returns table (id uuid, expires_at bigint)
language sql
as $$
  insert into auth.mfa_challenges (factor_id, ip, expires_at)
    select f.id, client_ip, now() + make_interval(secs => ttl)
    from auth.mfa_factors f where f.id = fid and f.user_id = uid
  returning id, extract(epoch from expires_at)::bigint
$$;

-- What the worker needs to check a code: status ok | not_found | expired |
-- used | too_many, the sealed secret and the last step used.
create or replace function auth.mfa_verify_prepare(uid uuid, fid uuid, cid uuid)
returns table (status text, secret_sealed text, last_used_step bigint)
language sql stable
as $$
  select case when c.id is null then 'not_found'
              when c.verified_at is not null then 'used'
              when c.expires_at <= now() then 'expired'
              when c.attempts >= 5 then 'too_many'
              else 'ok' end,
         f.secret_sealed, f.last_used_step
  from auth.mfa_factors f
  left join auth.mfa_challenges c on c.id = cid and c.factor_id = f.id
  where f.id = fid and f.user_id = uid
$$;

-- POST /factors/{id}/verify after the worker checked the code: step is the
-- TOTP step that matched (null: none). status: ok | invalid | expired |
-- session_not_found. On ok the factor is verified, the step used up (a
-- concurrent use of the same code loses), the session becomes aal2 with
-- totp in its amr, and gets a new refresh token.
create or replace function auth.mfa_verify_finish(
  uid uuid, sid text, fid uuid, cid uuid, step bigint, refresh_hash text,
  refresh_ttl integer, expiry integer, client_ip text)
returns table (status text, user_json text, claims text, expires_at bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
  c auth.mfa_challenges;
  s auth.sessions;
  u auth.users;
  cl jsonb;
begin
  select * into c from auth.mfa_challenges o
    where o.id = cid and o.factor_id = fid
      and exists (select from auth.mfa_factors f where f.id = fid and f.user_id = uid)
    for update;
  if c.id is null or c.verified_at is not null or c.attempts >= 5 then
    return query select 'invalid', null::text, null::text, null::bigint;
    return;
  end if;
  if c.expires_at <= now() then
    return query select 'expired', null::text, null::text, null::bigint;
    return;
  end if;
  if step is null then
    update auth.mfa_challenges o set attempts = o.attempts + 1 where o.id = cid;
    insert into auth.audit_log (user_id, action, ip, detail)
      values (uid, 'mfa_code_refused', client_ip, jsonb_build_object('factor_id', fid));
    return query select 'invalid', null::text, null::text, null::bigint;
    return;
  end if;
  select * into s from auth.sessions o where o.id::text = sid and o.user_id = uid for update;
  if s.id is null then
    return query select 'session_not_found', null::text, null::text, null::bigint;
    return;
  end if;
  update auth.mfa_factors f set last_used_step = step, status = 'verified', updated_at = now()
    where f.id = fid and f.last_used_step < step;
  if not found then -- the code was used already
    update auth.mfa_challenges o set attempts = o.attempts + 1 where o.id = cid;
    return query select 'invalid', null::text, null::text, null::bigint;
    return;
  end if;
  update auth.mfa_challenges o set verified_at = now() where o.id = cid;
  update auth.sessions o set aal = 'aal2', refreshed_at = now() where o.id = s.id;
  insert into auth.session_amr (session_id, method) values (s.id, 'totp')
    on conflict (session_id, method) do update set at = now();
  insert into auth.refresh_tokens (token_hash, session_id, user_id, expires_at)
    values (refresh_hash, s.id, uid, now() + make_interval(secs => refresh_ttl));
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'mfa_verified', client_ip, jsonb_build_object('factor_id', fid));
  select * into u from auth.users o where o.id = uid;
  cl := auth.access_claims(u, s.id, expiry, 'totp');
  return query select 'ok', auth.user_json(u)::text, cl::text, (cl ->> 'exp')::bigint;
end
$$;

-- DELETE /factors/{id}: status ok | not_found | aal2_required (the user
-- has a verified factor and the caller's token is not aal2).
create or replace function auth.mfa_unenroll(uid uuid, fid uuid, caller_aal text, client_ip text)
returns text
language plpgsql
as $$
begin
  if not exists (select from auth.mfa_factors f where f.id = fid and f.user_id = uid) then
    return 'not_found';
  end if;
  if caller_aal is distinct from 'aal2' and exists (
       select from auth.mfa_factors f where f.user_id = uid and f.status = 'verified') then
    return 'aal2_required';
  end if;
  delete from auth.mfa_factors f where f.id = fid and f.user_id = uid;
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'mfa_unenrolled', client_ip, jsonb_build_object('factor_id', fid));
  return 'ok';
end
$$;

-- Every access token's claims: the base claims, passed through the custom
-- access-token hook when the worker named one (GUC pgstack.auth_hook,
-- "schema.function", src/auth/auth_hook.h). The hook gets {user_id,
-- claims, authentication_method} and returns {claims: {...}}; its claims
-- become the token's, except that iss, sub, aud, exp, iat, session_id, aal
-- and amr stay what pgstack made. It runs as pgstack_auth, in the calling
-- transaction: when it raises, or returns something else, the transaction
-- fails naming the hook, and no session or refresh token is written.
create or replace function auth.access_claims(u auth.users, sid uuid, expiry integer, method text)
returns jsonb
language plpgsql
as $$
declare
  claims jsonb := auth.base_claims(u, sid, expiry, method);
  hook text := nullif(current_setting('pgstack.auth_hook', true), '');
  result jsonb;
  why text;
begin
  if hook is null then
    return claims;
  end if;
  begin
    execute format('select %I.%I($1)', split_part(hook, '.', 1), split_part(hook, '.', 2))
      using jsonb_build_object('user_id', u.id, 'claims', claims,
                               'authentication_method', method)
      into result;
  exception when others then
    get stacked diagnostics why = message_text;
    raise exception 'custom access token hook % failed: %', hook, why using errcode = 'PSHOK';
  end;
  if jsonb_typeof(result -> 'claims') is distinct from 'object' then
    raise exception 'custom access token hook % failed: it must return {"claims": {...}}', hook
      using errcode = 'PSHOK';
  end if;
  return (result -> 'claims') || jsonb_build_object(
    'iss', claims -> 'iss', 'sub', claims -> 'sub', 'aud', claims -> 'aud',
    'exp', claims -> 'exp', 'iat', claims -> 'iat', 'session_id', claims -> 'session_id',
    'aal', claims -> 'aal', 'amr', claims -> 'amr');
end
$$;

grant execute on function auth.base_claims(auth.users, uuid, integer, text)
  to pgstack_auth, service_role;
revoke execute on function auth.base_claims(auth.users, uuid, integer, text) from public;

grant execute on function
  auth.factor_json(auth.mfa_factors),
  auth.mfa_enroll(uuid, text, text, text),
  auth.mfa_challenge(uuid, uuid, text, integer),
  auth.mfa_verify_prepare(uuid, uuid, uuid),
  auth.mfa_verify_finish(uuid, text, uuid, uuid, bigint, text, integer, integer, text),
  auth.mfa_unenroll(uuid, uuid, text, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.factor_json(auth.mfa_factors),
  auth.mfa_enroll(uuid, text, text, text),
  auth.mfa_challenge(uuid, uuid, text, integer),
  auth.mfa_verify_prepare(uuid, uuid, uuid),
  auth.mfa_verify_finish(uuid, text, uuid, uuid, bigint, text, integer, integer, text),
  auth.mfa_unenroll(uuid, uuid, text, text)
  from public;

-- ------------------------------------------------------------- identities
-- linkIdentity: the callback of GET /user/identities/authorize links the
-- identity the provider vouched for to the signed-in user who started it
-- (the state is sealed, so nobody else can name that user). status: ok |
-- taken (another user has that identity) | no_user. An anonymous user who
-- links an identity becomes a regular one, as GoTrue does.
create or replace function auth.oauth_link(
  uid uuid, provider_name text, subject text, claimed_email text, identity jsonb,
  client_ip text)
returns text
language plpgsql
as $$
#variable_conflict use_column
declare
  i auth.identities;
begin
  perform pg_advisory_xact_lock(hashtextextended('oauth:' || provider_name || ':' || subject, 0));
  select * into i from auth.identities o
    where o.provider = provider_name and o.provider_id = subject;
  if i.id is not null then
    return case when i.user_id = uid then 'ok' else 'taken' end;
  end if;
  perform from auth.users u where u.id = uid for update;
  if not found then
    return 'no_user';
  end if;
  insert into auth.identities (user_id, provider, provider_id, email, identity_data)
    values (uid, provider_name, subject, lower(nullif(claimed_email, '')), identity);
  update auth.users u set is_anonymous = false,
    role = case when u.is_anonymous and u.role = 'anon' then 'authenticated' else u.role end,
    updated_at = now()
    where u.id = uid;
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'identity_linked', client_ip, jsonb_build_object('provider', provider_name));
  return 'ok';
end
$$;

-- unlinkIdentity. status: ok | not_found | last.
create or replace function auth.identity_unlink(uid uuid, iid uuid, client_ip text)
returns text
language plpgsql
as $$
#variable_conflict use_column
declare
  i auth.identities;
begin
  perform from auth.users u where u.id = uid for update;
  select * into i from auth.identities o where o.id = iid and o.user_id = uid;
  if i.id is null then
    return 'not_found';
  end if;
  if (select count(*) from auth.identities o where o.user_id = uid) <= 1 then
    return 'last';
  end if;
  delete from auth.identities o where o.id = iid;
  update auth.users u set raw_app_meta_data = u.raw_app_meta_data || jsonb_build_object(
      'providers', (select coalesce(jsonb_agg(distinct o.provider), '[]')
                      from auth.identities o where o.user_id = uid),
      'provider', case when u.raw_app_meta_data ->> 'provider' = i.provider
                       then (select o.provider from auth.identities o where o.user_id = uid
                             order by o.created_at limit 1)
                       else u.raw_app_meta_data ->> 'provider' end),
    updated_at = now()
    where u.id = uid;
  insert into auth.audit_log (user_id, action, ip, detail)
    values (uid, 'identity_unlinked', client_ip, jsonb_build_object('provider', i.provider));
  return 'ok';
end
$$;

grant execute on function
  auth.oauth_link(uuid, text, text, text, jsonb, text),
  auth.identity_unlink(uuid, uuid, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.oauth_link(uuid, text, text, text, jsonb, text),
  auth.identity_unlink(uuid, uuid, text)
  from public;

-- ---------------------------------------------- invites, generated links
-- POST /invite and POST /admin/generate_link: the user and the token of
-- one link, as GoTrue makes them. kind: signup | invite | magiclink |
-- recovery | email_change_current | email_change_new. status: ok |
-- email_exists (signup: registered; invite: registered and confirmed) |
-- user_not_found (recovery, email change) | new_email_missing |
-- new_email_taken. An email change is confirmed by one token to the new
-- address here, so both email_change kinds make that token. The token is
-- stored under hash_hex with the code's keyed hash code_hash.
create or replace function auth.generate_link(
  kind text, for_email text, password_hash text, metadata jsonb, new_email text,
  hash_hex text, code_hash text, ttl_s integer, redirect_url text, client_ip text)
returns table (status text, user_json text)
language plpgsql
as $$
#variable_conflict use_column
declare
  u auth.users;
  uid uuid;
begin
  select * into u from auth.users o where lower(o.email) = lower(for_email) for update;
  if kind = 'signup' or kind = 'invite' then
    if u.id is not null and (kind = 'signup' or u.email_confirmed_at is not null) then
      return query select 'email_exists', null::text;
      return;
    end if;
    uid := u.id;
    if uid is null then
      select s.user_id into uid
        from auth.sign_up(for_email, password_hash, metadata, false, false, 'authenticated',
                          false, null, 0, 0, client_ip, null) s;
    end if;
    if kind = 'invite' then
      update auth.users o set raw_app_meta_data = o.raw_app_meta_data ||
        jsonb_build_object('invited_at', now()) where o.id = uid;
    end if;
    perform auth.store_one_time_token(uid, case kind when 'signup' then 'confirmation'
                                               else 'invite' end,
                                      hash_hex, for_email, redirect_url, ttl_s, client_ip);
  elsif kind = 'magiclink' then
    uid := auth.issue_one_time_token(for_email, 'magiclink', hash_hex, ttl_s, redirect_url, true,
                                     metadata, client_ip);
  elsif u.id is null then
    return query select 'user_not_found', null::text;
    return;
  elsif kind = 'recovery' then
    uid := u.id;
    perform auth.store_one_time_token(uid, 'recovery', hash_hex, for_email, redirect_url, ttl_s,
                                      client_ip);
  else
    uid := u.id;
    if coalesce(new_email, '') = '' then
      return query select 'new_email_missing', null::text;
      return;
    end if;
    if exists (select from auth.users o where lower(o.email) = lower(new_email)) then
      return query select 'new_email_taken', null::text;
      return;
    end if;
    perform auth.request_email_change(uid, new_email, hash_hex, ttl_s, redirect_url, client_ip);
  end if;
  perform auth.one_time_token_extras(hash_hex, null, null, code_hash);
  return query select 'ok', auth.user_json(o)::text from auth.users o where o.id = uid;
end
$$;

grant execute on function
  auth.generate_link(text, text, text, jsonb, text, text, text, integer, text, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.generate_link(text, text, text, jsonb, text, text, text, integer, text, text)
  from public;
