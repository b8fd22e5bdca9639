#!/usr/bin/env python3
"""The custom access-token hook (AUTH_HOOK_CUSTOM_ACCESS_TOKEN, set by
suites.conf to GoTrue's pg-functions:// form of public.auth_hook_test_claims)
against the running stack: the hook adds a tenant claim that an RLS policy
reads, on sign-up, sign-in and refresh; it cannot replace sub, exp, aal or
session_id; a hook that raises, or returns no claims, answers 500 JSON naming
the function, and nothing is written (no user, no session, the refresh token
not rotated). Standard library only (plus psql)."""
import base64
import json
import random
import secrets
import sys

from harness import call, check, psql, summary, table_call

RUN = secrets.token_hex(4)
XFF = {"X-Forwarded-For": "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255),
                                           random.randint(1, 254))}
HOOK = "public.auth_hook_test_claims"


def auth(method, path, body=None, token=None):
    return call(path, method=method, body=body, token=token, area="/auth/v1", headers=XFF)


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def setup():
    psql("""
drop table if exists public.hook_docs;
create table public.hook_docs (id int primary key, tenant text, title text);
insert into public.hook_docs values (1, 'acme', 'acme plan'), (2, 'globex', 'globex plan');
alter table public.hook_docs enable row level security;
create policy by_tenant on public.hook_docs for select to authenticated
  using (tenant = auth.jwt() ->> 'tenant');
grant select on public.hook_docs to authenticated;
create or replace function public.auth_hook_test_claims(event jsonb) returns jsonb
language plpgsql as $$
declare
  meta jsonb := event -> 'claims' -> 'user_metadata';
begin
  if meta ->> 'hook' = 'raise' then
    raise exception 'no tenant for this user';
  elsif meta ->> 'hook' = 'garbage' then
    return '{"nope": 1}';
  end if;
  return jsonb_build_object('claims', (event -> 'claims') || jsonb_build_object(
    'tenant', meta ->> 'tenant', 'hook_method', event ->> 'authentication_method',
    'hook_user', event ->> 'user_id', 'sub', 'forged', 'exp', 1, 'aal', 'aal2'));
end
$$;
revoke execute on function public.auth_hook_test_claims(jsonb) from public;
grant execute on function public.auth_hook_test_claims(jsonb) to pgstack_auth;
notify pgrst, 'reload schema';
""")


def teardown():
    psql("drop table if exists public.hook_docs; "
         "drop function if exists public.auth_hook_test_claims(jsonb)")


def email(name):
    return "hook-%s-%s@example.com" % (RUN, name)


def test_claims_and_rls():
    r = auth("POST", "/signup", {"email": email("acme"), "password": "correct horse 1",
                                 "data": {"tenant": "acme"}})
    c = claims(r.json["access_token"]) if r.status in (200, 201) else {}
    check("sign-up: the hook's tenant claim is in the token, with the event's method and user",
          c.get("tenant") == "acme" and c.get("hook_method") == "password"
          and c.get("hook_user") == r.json["user"]["id"], (r, c))
    check("required claims stay pgstack's (sub, exp, aal)", c.get("sub") == r.json["user"]["id"]
          and c.get("exp", 0) > 1000 and c.get("aal") == "aal1", c)
    docs = table_call("GET", "hook_docs", "select=title", token=r.json["access_token"])
    check("an RLS policy reads the hook's claim", docs.status == 200 and docs.json == [{"title": "acme plan"}], docs)
    ref = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": r.json["refresh_token"]})
    check("refresh calls the hook too", ref.status == 200 and claims(ref.json["access_token"]).get("tenant") == "acme"
          and claims(ref.json["access_token"]).get("hook_method") == "token_refresh", ref)
    si = auth("POST", "/token?grant_type=password", {"email": email("acme"), "password": "correct horse 1"})
    check("password sign-in calls the hook", si.status == 200 and claims(si.json["access_token"]).get("tenant") == "acme", si)


def test_failing_hook():
    users = psql("select count(*) from auth.users")
    sessions = psql("select count(*) from auth.sessions")
    r = auth("POST", "/signup", {"email": email("raise"), "password": "correct horse 1",
                                 "data": {"hook": "raise"}})
    check("a hook that raises -> 500 JSON naming the function",
          r.status == 500 and isinstance(r.json, dict) and HOOK in r.json.get("error", "")
          and "no tenant" in r.json.get("error", ""), r)
    check("... and nothing was written (no user, no session)",
          psql("select count(*) from auth.users") == users
          and psql("select count(*) from auth.sessions") == sessions)
    r = auth("POST", "/signup", {"email": email("garbage"), "password": "correct horse 1",
                                 "data": {"hook": "garbage"}})
    check("a hook returning no claims -> 500 naming the function", r.status == 500
          and HOOK in (r.json or {}).get("error", "") and "claims" in r.json.get("error", ""), r)

    ok = auth("POST", "/signup", {"email": email("later"), "password": "correct horse 1"})
    uid, refresh = ok.json["user"]["id"], ok.json["refresh_token"]
    psql("update auth.users set raw_user_meta_data = '{\"hook\": \"raise\"}' where id = '%s'" % uid)
    tokens = psql("select count(*) from auth.refresh_tokens where user_id = '%s'" % uid)
    r = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": refresh})
    check("refresh with a failing hook -> 500, the refresh token not rotated",
          r.status == 500 and psql("select count(*) from auth.refresh_tokens where user_id = '%s' "
                                   "and revoked_at is null" % uid) == tokens, r)
    r = auth("POST", "/token?grant_type=password", {"email": email("later"), "password": "correct horse 1"})
    check("sign-in with a failing hook -> 500, no session", r.status == 500
          and psql("select count(*) from auth.sessions where user_id = '%s'" % uid) == "1", r)
    psql("update auth.users set raw_user_meta_data = '{\"tenant\": \"globex\"}' where id = '%s'" % uid)
    r = auth("POST", "/token?grant_type=refresh_token", {"refresh_token": refresh})
    check("once the hook succeeds the same refresh token works", r.status == 200
          and claims(r.json["access_token"]).get("tenant") == "globex", r)


if __name__ == "__main__":
    setup()
    try:
        for t in (test_claims_and_rls, test_failing_hook):
            try:
                t()
            except Exception as e:
                check(t.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        teardown()
    sys.exit(summary())
