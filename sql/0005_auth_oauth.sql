-- pgstack 0004: sign-in with OAuth / OpenID Connect providers (google,
-- github, apple, microsoft, oidc) on top of auth.users and auth.identities
-- from 0002.
--
-- The worker has verified who signed in at the provider (ID token or
-- GitHub's API); this function decides which account that is:
--   1. the identity (provider, provider_id) is known: its user;
--   2. else, when the provider vouches for the email (verified): the user
--      with that email, to which the identity is linked. An account whose
--      address was never proven (email_confirmed_at null) is confirmed by
--      this, and loses a password set before (it may have been set by
--      someone else: account pre-hijacking) and every session;
--   3. else a new user: with the email when it is verified, without one
--      otherwise (an unverified address is kept only in the identity and
--      the user_metadata, so it can neither take nor squat an account).
-- Never is an account linked by an unverified email. Sign-ins of the same
-- identity are serialized by a transaction-level advisory lock.

create or replace function auth.oauth_sign_in(
  provider_name text, subject text, claimed_email text, email_verified boolean,
  identity jsonb, refresh_hash text, refresh_ttl integer, expiry integer,
  client_ip text, user_agent text)
returns table (status text, user_json text, claims text, expires_at bigint)
language plpgsql
as $$
#variable_conflict use_column
declare
  i auth.identities;
  u auth.users;
  mail text := case when email_verified then lower(nullif(claimed_email, '')) end;
  linked boolean := false;
begin
  perform pg_advisory_xact_lock(hashtextextended('oauth:' || provider_name || ':' || subject, 0));
  select * into i from auth.identities o
    where o.provider = provider_name and o.provider_id = subject;
  if i.id is not null then
    select * into u from auth.users o where o.id = i.user_id for update;
  elsif mail is not null then
    select * into u from auth.users o where lower(o.email) = mail for update;
    linked := u.id is not null;
  end if;
  if u.id is not null and u.banned_until is not null and u.banned_until > now() then
    return query select 'banned', null::text, null::text, null::bigint;
    return;
  end if;
  if u.id is null then
    insert into auth.users (email, email_confirmed_at, raw_user_meta_data, raw_app_meta_data)
      values (mail, case when mail is not null then now() end, identity,
              jsonb_build_object('provider', provider_name,
                                 'providers', jsonb_build_array(provider_name)))
      on conflict do nothing
      returning * into u;
    if u.id is null then -- a concurrent sign-up took the (verified) address
      select * into u from auth.users o where lower(o.email) = mail for update;
      linked := true;
    else
      insert into auth.audit_log (user_id, action, ip, detail)
        values (u.id, 'user_signedup', client_ip, jsonb_build_object('provider', provider_name));
    end if;
  end if;
  if linked and u.email_confirmed_at is null then
    update auth.users o set email_confirmed_at = now(), encrypted_password = null,
      updated_at = now() where o.id = u.id;
    delete from auth.sessions s where s.user_id = u.id;
    delete from auth.one_time_tokens t where t.user_id = u.id and t.used_at is null;
  end if;
  update auth.users o set
    raw_app_meta_data = o.raw_app_meta_data || jsonb_build_object(
      'provider', coalesce(o.raw_app_meta_data ->> 'provider', provider_name),
      'providers', case
        when coalesce(o.raw_app_meta_data -> 'providers', '[]') ? provider_name
          then o.raw_app_meta_data -> 'providers'
        else coalesce(o.raw_app_meta_data -> 'providers', '[]') || to_jsonb(provider_name)
      end),
    raw_user_meta_data = identity || o.raw_user_meta_data,
    updated_at = now()
    where o.id = u.id;
  insert into auth.identities (user_id, provider, provider_id, email, identity_data,
                               last_sign_in_at)
    values (u.id, provider_name, subject, lower(nullif(claimed_email, '')), identity, now())
  on conflict (provider, provider_id) do update set
    email = excluded.email, identity_data = excluded.identity_data,
    last_sign_in_at = now(), updated_at = now();
  if linked then
    insert into auth.audit_log (user_id, action, ip, detail)
      values (u.id, 'identity_linked', client_ip, jsonb_build_object('provider', provider_name));
  end if;
  return query select 'ok', g.user_json, g.claims, g.expires_at
    from auth.start_session(u.id, refresh_hash, refresh_ttl, expiry, client_ip, user_agent,
                            'oauth') g;
end
$$;

grant execute on function
  auth.oauth_sign_in(text, text, text, boolean, jsonb, text, integer, integer, text, text)
  to pgstack_auth, service_role;
revoke execute on function
  auth.oauth_sign_in(text, text, text, boolean, jsonb, text, integer, integer, text, text)
  from public;
