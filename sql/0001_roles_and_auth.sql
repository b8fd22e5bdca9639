-- pgstack 0001: the roles every request runs as, and the auth helper
-- functions RLS policies call (Supabase-compatible signatures).
--
-- anon, authenticated, service_role: NOLOGIN roles a request switches to
--   (set_config('role', ..., true)) according to its JWT's role claim.
-- authenticator: the role the workers log in as. NOINHERIT, so it has no
--   privileges of its own beyond switching to the three roles above.
--   Set its password after migrating: ALTER ROLE authenticator PASSWORD '...'.

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

-- Schema public as on Supabase: the three API roles may use it, and objects
-- created later by the migrating role are granted to them; row-level
-- security policies then decide which rows each caller sees.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- The verified JWT claims of the current request, as set by the worker.
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

-- The caller's user id (the JWT's sub), or null when it is not a UUID.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select case
    when sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then sub::uuid
  end
  from (select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                        auth.jwt() ->> 'sub') as sub) as claim
$$;

-- The caller's role claim: anon, authenticated or service_role.
create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  auth.jwt() ->> 'role')
$$;

-- The caller's email claim.
create or replace function auth.email() returns text
language sql stable
as $$
  select auth.jwt() ->> 'email'
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email()
  to anon, authenticated, service_role;
