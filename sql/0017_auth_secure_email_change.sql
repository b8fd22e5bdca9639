-- pgstack 0017: GoTrue's secure email change, and what an email link's
-- failure says about its flow; on top of 0003 and 0010.
--
-- Secure email change (SECURE_EMAIL_CHANGE, GoTrue's
-- MAILER_SECURE_EMAIL_CHANGE_ENABLED): PUT /user with a new address mails
-- a token to the new address (kind email_change) and one to the current
-- address (kind email_change_current); the address changes only once both
-- came back, in either order. auth.users.email_change_confirm_status holds
-- the halves confirmed so far (bit 1: the current address, bit 2: the new
-- one) and email_change_required the halves this change needs (2: the new
-- address only; 3: both). Using the first token of a pair only records its
-- half (auth.verify_email_flow answers status confirm_other, no session);
-- the second one makes the change. A new target address starts over: the
-- halves are cleared and unused tokens of the earlier change dropped. The
-- new address is always needed: a current-address token alone never moves
-- the address.
--
-- A failed verification now also says whether the token was made in the
-- client's PKCE flow (pkce), so the error redirect carries GoTrue's error,
-- error_code and error_description in the query as well as the fragment.

alter table auth.users
  add column email_change_confirm_status smallint not null default 0
    check (email_change_confirm_status between 0 and 3),
  add column email_change_required smallint not null default 2
    check (email_change_required in (2, 3));

alter table auth.one_time_tokens drop constraint one_time_tokens_token_type_check;
alter table auth.one_time_tokens add constraint one_time_tokens_token_type_check
  check (token_type in ('confirmation', 'recovery', 'magiclink', 'email_change',
                        'email_change_current', 'reauthentication', 'invite'));

-- Stores one token of an email change of uid to new_email: token_kind
-- email_change goes to the new address, email_change_current to the
-- current one (and makes the change need both). With fresh, or when the
-- pending change is to another address, the change starts over.
create or replace function auth.email_change_token(
  uid uuid, new_email text, token_kind text, hash_hex text, ttl_s integer, redirect_url text,
  client_ip text, fresh boolean)
returns void
language plpgsql
as $$
#variable_conflict use_column
declare
  u auth.users;
begin
  if token_kind not in ('email_change', 'email_change_current') then
    raise exception 'not an email change token: %', token_kind using errcode = '22023';
  end if;
  select * into u from auth.users o where o.id = uid for update;
  if fresh or u.email_change is distinct from lower(new_email) then
    update auth.users o set email_change = lower(new_email), email_change_confirm_status = 0,
      email_change_required = 2, updated_at = now()
      where o.id = uid returning * into u;
    delete from auth.one_time_tokens o
      where o.user_id = uid and o.token_type in ('email_change', 'email_change_current')
        and o.used_at is null;
  end if;
  if token_kind = 'email_change_current' then
    update auth.users o set email_change_required = 3 where o.id = uid;
  end if;
  perform auth.store_one_time_token(uid, token_kind, hash_hex,
                                    case token_kind when 'email_change' then new_email
                                                    else u.email end,
                                    redirect_url, ttl_s, client_ip);
end
$$;

-- 0003's PATCH /user email change, now a fresh change on the helper above
-- (same signature and reply).
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
  perform auth.email_change_token(uid, new_email, 'email_change', hash_hex, ttl_s, redirect_url,
                                  client_ip, true);
  select * into u from auth.users o where o.id = uid;
  return auth.user_json(u)::text;
end
$$;

-- 0010's status, with the current-address token: it is live while a change
-- is pending and the user's address is still the one it was mailed to.
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
         or (t.token_type = 'email_change_current'
             and (u.email_change is null or lower(u.email) is distinct from t.relates_to))
         or (t.token_type not in ('email_change', 'email_change_current')
             and lower(u.email) is distinct from t.relates_to)
      then 'invalid'
    when u.banned_until is not null and u.banned_until > now() then 'banned'
    when t.token_type in ('email_change', 'email_change_current') and exists (
           select from auth.users o where lower(o.email) = u.email_change and o.id <> u.id)
      then 'email_exists'
    else 'ok'
  end
$$;

-- 0010's use of a token, with the halves of an email change: a token of
-- the change records its half; the address moves once every half the
-- change requires is in (the returned user then has no email_change).
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
  if t.token_type in ('email_change', 'email_change_current') then
    update auth.users o set email_change_confirm_status = o.email_change_confirm_status |
      case t.token_type when 'email_change' then 2 else 1 end
      where o.id = u.id returning * into u;
    if u.email_change_confirm_status & u.email_change_required <> u.email_change_required then
      insert into auth.audit_log (user_id, action, ip, detail)
        values (u.id, 'email_change_half_confirmed', client_ip,
                jsonb_build_object('confirmed', t.relates_to, 'to', u.email_change));
      return u;
    end if;
    old_email := u.email;
    update auth.users o set email = o.email_change, email_change = null,
      email_change_sent_at = null, email_change_confirm_status = 0, email_change_required = 2,
      email_confirmed_at = coalesce(o.email_confirmed_at, now()),
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

-- 0010's verification. New: status confirm_other (the first half of a
-- secure email change: no session, no flow state), and pkce — on failures
-- too — telling whether the token was made in the client's PKCE flow.
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
    return query select st, null::text, t.redirect_to, null::text, null::text, null::bigint,
                        t.code_challenge is not null;
    return;
  end if;
  u := auth.one_time_token_use(t, client_ip);
  if t.token_type in ('email_change', 'email_change_current') and u.email_change is not null then
    return query select 'confirm_other', t.token_type, t.redirect_to, auth.user_json(u)::text,
                        null::text, null::bigint, t.code_challenge is not null;
    return;
  end if;
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

-- 0010's generate_link; email_change_current now makes the token for the
-- current address (kind email_change_current) and email_change_new the one
-- for the new address, both for the same pending change: GoTrue's pair.
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
    perform auth.email_change_token(uid, new_email,
                                    case kind when 'email_change_current' then kind
                                              else 'email_change' end,
                                    hash_hex, ttl_s, redirect_url, client_ip, false);
  end if;
  perform auth.one_time_token_extras(hash_hex, null, null, code_hash);
  return query select 'ok', auth.user_json(o)::text from auth.users o where o.id = uid;
end
$$;

grant execute on function
  auth.email_change_token(uuid, text, text, text, integer, text, text, boolean)
  to pgstack_auth, service_role;
revoke execute on function
  auth.email_change_token(uuid, text, text, text, integer, text, text, boolean)
  from public;
