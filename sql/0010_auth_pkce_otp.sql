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
                        'reauthentication'));

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
