-- pgstack 0003: the email flows of the auth area — confirmation of a new
-- account, password recovery, magic links and email change — on top of
-- auth.one_time_tokens from 0002.
--
-- A one-time token is stored only as the SHA-256 hash of the secret that
-- was mailed, for one user and one kind, tied to the address it was sent to
-- (relates_to, lower case), with an expiry; it is used at most once
-- (used_at). A user has at most one unused token per kind: issuing a new
-- one drops the old. The worker mails the secret first and only then calls
-- these functions, so a failed mail leaves nothing behind (see
-- src/auth/email_flow.h).

-- Stores a token for a user (replacing an unused one of the same kind),
-- stamps *_sent_at and writes the audit entry "<kind>_requested".
create or replace function auth.store_one_time_token(
  for_user uuid, token_kind text, hash_hex text, sent_to text, redirect_url text,
  ttl_s integer, client_ip text)
returns void
language plpgsql
as $$
#variable_conflict use_column
begin
  delete from auth.one_time_tokens o
    where o.user_id = for_user and o.token_type = token_kind and o.used_at is null;
  insert into auth.one_time_tokens (user_id, token_type, token_hash, relates_to, redirect_to,
                                    expires_at)
    values (for_user, token_kind, hash_hex, lower(sent_to), redirect_url,
            now() + make_interval(secs => ttl_s));
  update auth.users u set
    confirmation_sent_at = case when token_kind = 'confirmation' then now()
                                else u.confirmation_sent_at end,
    recovery_sent_at = case when token_kind in ('recovery', 'magiclink') then now()
                            else u.recovery_sent_at end,
    email_change_sent_at = case when token_kind = 'email_change' then now()
                                else u.email_change_sent_at end
  where u.id = for_user;
  insert into auth.audit_log (user_id, action, ip)
    values (for_user, token_kind || '_requested', client_ip);
  if random() < 0.01 then
    delete from auth.one_time_tokens o where o.expires_at < now() - interval '1 day';
  end if;
end
$$;

-- Recovery and magic-link tokens: stores the token for the user with this
-- email; with create_user, a user without password is created first when
-- there is none (magic-link sign-up). Returns the user's id, or null when
-- there is no such user.
create or replace function auth.issue_one_time_token(
  for_email text, token_kind text, hash_hex text, ttl_s integer, redirect_url text,
  create_user boolean, metadata jsonb, client_ip text)
returns uuid
language plpgsql
as $$
#variable_conflict use_column
declare
  uid uuid;
begin
  select u.id into uid from auth.users u where lower(u.email) = lower(for_email);
  if uid is null and create_user then
    select s.user_id into uid
      from auth.sign_up(for_email, null, metadata, false, false, 'authenticated', false,
                        null, 0, 0, client_ip, null) s;
    if uid is null then -- a concurrent sign-up won
      select u.id into uid from auth.users u where lower(u.email) = lower(for_email);
    end if;
  end if;
  if uid is not null then
    perform auth.store_one_time_token(uid, token_kind, hash_hex, for_email, redirect_url,
                                      ttl_s, client_ip);
  end if;
  return uid;
end
$$;

-- Sign-up with REQUIRE_EMAIL_VERIFICATION: an unconfirmed user and their
-- confirmation token. No row when the email is already registered.
create or replace function auth.sign_up_unconfirmed(
  new_email text, password_hash text, metadata jsonb, hash_hex text, ttl_s integer,
  redirect_url text, client_ip text, user_agent text)
returns table (user_id uuid, user_json text)
language plpgsql
as $$
#variable_conflict use_column
declare
  uid uuid;
begin
  select s.user_id into uid
    from auth.sign_up(new_email, password_hash, metadata, false, false, 'authenticated', false,
                      null, 0, 0, client_ip, user_agent) s;
  if uid is null then
    return;
  end if;
  perform auth.store_one_time_token(uid, 'confirmation', hash_hex, new_email, redirect_url,
                                    ttl_s, client_ip);
  return query select u.id, auth.user_json(u)::text from auth.users u where u.id = uid;
end
$$;

-- PATCH /user with a new email while verification is on: the address
-- waits in email_change until the token mailed to it comes back. Raises
-- unique_violation (409) when another user has that address.
create or replace function auth.request_email_change(
  uid uuid, new_email text, hash_hex text, ttl_s integer, redirect_url text, client_ip text)
returns text
language plpgsql
as $$
#variable_conflict use_column
declare
  u auth.users;
begin
  if exists (select from auth.users o where lower(o.email) = lower(new_email) and o.id <> uid) then
    raise exception 'email already registered' using errcode = '23505';
  end if;
  update auth.users o set email_change = lower(new_email), updated_at = now() where o.id = uid;
  perform auth.store_one_time_token(uid, 'email_change', hash_hex, new_email, redirect_url,
                                    ttl_s, client_ip);
  select * into u from auth.users o where o.id = uid;
  return auth.user_json(u)::text;
end
$$;

-- Uses a token of one of the given kinds (for_email, when given, must be
-- the address it was mailed to). status: ok | invalid | banned |
-- email_exists. The mailed address is then proven: email_change moves
-- email_change into email (an anonymous user becomes a regular one); any
-- other kind confirms the email — and, unless
-- it is the sign-up confirmation itself, drops a password set before the
-- address was proven (it may have been set by someone else: account
-- pre-hijacking). With new_password_hash (POST /recover/confirm) the
-- password is set, every session of the user ends (their refresh tokens
-- with them) and no session starts; otherwise a session starts.
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
  old_email text;
begin
  select * into t from auth.one_time_tokens o
    where o.token_hash = hash_hex and o.token_type = any (kinds) for update;
  if t.id is not null then
    select * into u from auth.users o where o.id = t.user_id for update;
  end if;
  if t.id is null or t.used_at is not null or t.expires_at <= now()
     or (for_email is not null and t.relates_to <> lower(for_email))
     or (t.token_type = 'email_change' and u.email_change is distinct from t.relates_to)
     or (t.token_type <> 'email_change' and lower(u.email) is distinct from t.relates_to) then
    return query select 'invalid', null::text, null::text, null::text, null::text, null::bigint;
    return;
  end if;
  if u.banned_until is not null and u.banned_until > now() then
    return query select 'banned', null::text, null::text, null::text, null::text, null::bigint;
    return;
  end if;
  if t.token_type = 'email_change' and exists (
       select from auth.users o where lower(o.email) = t.relates_to and o.id <> u.id) then
    return query select 'email_exists', null::text, null::text, null::text, null::text,
                        null::bigint;
    return;
  end if;
  update auth.one_time_tokens o set used_at = now() where o.id = t.id;
  if t.token_type = 'email_change' then
    -- an anonymous user who proves an address becomes a regular email user
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
                            case t.token_type when 'confirmation' then 'otp'
                                              else t.token_type end) g;
end
$$;

grant execute on function
  auth.store_one_time_token(uuid, text, text, text, text, integer, text),
  auth.issue_one_time_token(text, text, text, integer, text, boolean, jsonb, text),
  auth.sign_up_unconfirmed(text, text, jsonb, text, integer, text, text, text),
  auth.request_email_change(uuid, text, text, integer, text, text),
  auth.verify_one_time_token(text, text[], text, text, text, integer, integer, text, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.store_one_time_token(uuid, text, text, text, text, integer, text),
  auth.issue_one_time_token(text, text, text, integer, text, boolean, jsonb, text),
  auth.sign_up_unconfirmed(text, text, jsonb, text, integer, text, text, text),
  auth.request_email_change(uuid, text, text, integer, text, text),
  auth.verify_one_time_token(text, text[], text, text, text, integer, integer, text, text)
  from public;
