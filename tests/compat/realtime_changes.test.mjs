#!/usr/bin/env node
// tests/compat/realtime_changes.test.mjs — supabase-js postgres_changes
// (the official client, with the "ws" transport on Node 20) against
// pgstack-realtime through the web server's WebSocket proxy, in vsn 1.0.0
// and 2.0.0: bindings accepted (no "mismatch between server and client
// bindings"), the system message per binding, INSERT / UPDATE (with a
// filter) / DELETE as the app's callbacks see them (eventType, new, old,
// commit_timestamp, schema, table, errors), row-level security for a
// signed-in user, a binding's select list, an unpublished table's error,
// and the daemon restarted
// under the client: supabase-js reconnects, rejoins, and changes flow
// again. Creates its tables (prefix rcc_) with psql as DATABASE_URL's
// user. Prints one line per check and ends with "N passed, N failed".

import { createClient } from '@supabase/supabase-js'
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import path from 'node:path'
import ws from 'ws'
import { ENV, ROOT, check, devSetting, section, show, summary } from './lib.mjs'

const DATABASE_URL = devSetting('DATABASE_URL')
const JWT_SECRET = devSetting('JWT_SECRET')
const clients = []
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', DATABASE_URL], {
    input: sql, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  })
}

function sign(claims) {
  const b64 = (x) => Buffer.from(x).toString('base64url')
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64(JSON.stringify(claims))
  return `${head}.${body}.${b64(crypto.createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest())}`
}

function rtClient(vsn, key = ENV.SERVICE_ROLE_KEY) {
  const c = createClient(ENV.PGSTACK_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws, vsn },
  })
  clients.push(c)
  return c
}

async function until(pred, ms = 5000) {
  const end = Date.now() + ms
  while (!pred() && Date.now() < end) await sleep(50)
  return pred()
}

// Subscribes; resolves with the statuses seen so far once SUBSCRIBED (or
// an error) arrives. statuses keeps growing (rejoins).
function subscribe(channel, statuses, ms = 5000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms)
    channel.subscribe((status, err) => {
      statuses.push(err ? `${status}: ${err.message}` : status)
      if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR') {
        clearTimeout(timer)
        resolve(status)
      }
    })
  })
}

// Empties rcc_todos and lets the daemon read those DELETEs before the next
// subscribe (a change committed just before a join but read after it
// reaches the new channel too).
async function clearTodos() {
  psql('delete from public.rcc_todos')
  await sleep(500)
}

const FIXTURE = `
do $$ begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;
drop table if exists public.rcc_todos, public.rcc_unpublished cascade;
create table public.rcc_todos (id int primary key, owner text not null, title text, done bool default false,
                               tags text[], meta jsonb);
alter table public.rcc_todos enable row level security;
create policy rcc_own on public.rcc_todos for select to authenticated using (owner = auth.jwt() ->> 'sub');
create table public.rcc_unpublished (id int primary key);
alter publication supabase_realtime add table public.rcc_todos;
`

async function eventChecks(vsn) {
  await clearTodos()
  const a = rtClient(vsn)
  const inserts = [], updates = [], deletes = [], all = [], systems = [], statuses = []
  const ch = a.channel(`todos-${vsn}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rcc_todos' }, (p) => inserts.push(p))
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'rcc_todos', filter: 'id=eq.2' }, (p) => updates.push(p))
    .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'rcc_todos' }, (p) => deletes.push(p))
    .on('postgres_changes', { event: '*', schema: 'public' }, (p) => all.push(p))
    .on('system', {}, (m) => systems.push(m))
  const s = await subscribe(ch, statuses)
  await until(() => systems.length >= 4)
  check(`${vsn}: four bindings subscribe (no binding mismatch), a system message each says so`,
    s === 'SUBSCRIBED' && systems.length === 4 && systems.every((m) => m.status === 'ok'), show({ statuses, systems }))
  const { error } = await a.from('rcc_todos').insert([
    { id: 1, owner: 'u1', title: 'one', tags: ['a', 'b'], meta: { k: 1 } },
    { id: 2, owner: 'u2', title: 'two' }])
  await until(() => inserts.length >= 2 && all.length >= 2)
  const p = inserts[0] || {}
  check(`${vsn}: INSERT callbacks: eventType, new (typed values), old {}, schema, table, commit_timestamp`,
    !error && inserts.length === 2 && p.eventType === 'INSERT' && p.schema === 'public' && p.table === 'rcc_todos'
    && p.new.id === 1 && p.new.title === 'one' && p.new.done === false && JSON.stringify(p.new.tags) === '["a","b"]'
    && p.new.meta.k === 1 && JSON.stringify(p.old) === '{}' && !Number.isNaN(Date.parse(p.commit_timestamp))
    && p.errors === null, show({ error, inserts }))
  await a.from('rcc_todos').update({ done: true }).in('id', [1, 2])
  await until(() => updates.length >= 1 && all.length >= 4)
  await sleep(300)
  check(`${vsn}: UPDATE with filter id=eq.2 fires once, with new and old (the key)`,
    updates.length === 1 && updates[0].new.id === 2 && updates[0].new.done === true
    && JSON.stringify(updates[0].old) === '{"id":2}', show(updates))
  await a.from('rcc_todos').delete().eq('id', 1)
  await until(() => deletes.length >= 1 && all.length >= 5)
  check(`${vsn}: DELETE: eventType DELETE, old is the key, new {}`,
    deletes.length === 1 && deletes[0].eventType === 'DELETE' && deletes[0].old.id === 1
    && JSON.stringify(deletes[0].new) === '{}', show(deletes))
  check(`${vsn}: the schema-wide '*' binding saw all five changes, in commit order`,
    all.map((x) => x.eventType).join() === 'INSERT,INSERT,UPDATE,UPDATE,DELETE', show(all.map((x) => x.eventType)))
  await a.removeChannel(ch)
}

async function rlsChecks(vsn) {
  await clearTodos()
  const user = sign({ sub: 'u1', role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 })
  const u = rtClient(vsn, ENV.ANON_KEY)
  await u.realtime.setAuth(user)
  const got = [], systems = [], statuses = []
  const ch = u.channel(`rls-${vsn}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'rcc_todos' }, (p) => got.push(p))
    .on('system', {}, (m) => systems.push(m))
  await subscribe(ch, statuses)
  await until(() => systems.length >= 1)
  psql("insert into public.rcc_todos (id, owner, title) values (10, 'u2', 'not mine'), (11, 'u1', 'mine')")
  await until(() => got.length >= 1)
  await sleep(400)
  check(`${vsn}: a signed-in user gets only the rows its RLS policy lets it read`,
    got.length === 1 && got[0].new.id === 11, show(got))
  const bad = u.channel(`unpub-${vsn}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'rcc_unpublished' }, () => {})
    .on('system', {}, (m) => systems.push(m))
  await subscribe(bad, [])
  await until(() => systems.length >= 2)
  check(`${vsn}: an unpublished table: a system error naming the publication (not silence)`,
    systems[1] && systems[1].status === 'error' && /supabase_realtime/.test(systems[1].message), show(systems))
  await u.removeChannel(ch)
  await u.removeChannel(bad)
}

async function selectChecks(vsn) {
  await clearTodos()
  const a = rtClient(vsn)
  const narrow = [], whole = [], statuses = []
  const ch = a.channel(`select-${vsn}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rcc_todos', select: ['title'] },
      (p) => narrow.push(p))
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rcc_todos' }, (p) => whole.push(p))
  const s = await subscribe(ch, statuses)
  psql("insert into public.rcc_todos (id, owner, title) values (30, 'u1', 'narrow')")
  await until(() => narrow.length >= 1 && whole.length >= 1)
  await sleep(300)
  check(`${vsn}: a binding with select: ['title'] gets the key and title; the other binding the whole row`,
    s === 'SUBSCRIBED' && narrow.length === 1 && whole.length === 1
    && JSON.stringify(narrow[0].new) === '{"id":30,"title":"narrow"}'
    && whole[0].new.owner === 'u1' && whole[0].new.done === false, show({ narrow, whole }))
  await a.removeChannel(ch)
}

async function restartChecks(vsn) {
  await clearTodos()
  const a = rtClient(vsn)
  const got = [], statuses = []
  const ch = a.channel(`restart-${vsn}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rcc_todos' }, (p) => got.push(p))
  await subscribe(ch, statuses)
  await sleep(300)
  execFileSync(path.join(ROOT, 'scripts', 'dev'), ['workers', 'restart'], { stdio: 'ignore' })
  const back = await until(() => statuses.filter((x) => x === 'SUBSCRIBED').length >= 2, 20000)
  check(`${vsn}: after the daemon restarts supabase-js reconnects and rejoins (SUBSCRIBED again)`, back, show(statuses))
  await sleep(500)
  psql("insert into public.rcc_todos (id, owner) values (20, 'x')")
  await until(() => got.length >= 1, 8000)
  check(`${vsn}: and changes flow on the rejoined channel`, got.length === 1 && got[0].new.id === 20, show(got))
  await a.removeChannel(ch)
}

try {
  psql(FIXTURE)
  for (const vsn of ['1.0.0', '2.0.0']) {
    await section(`postgres_changes (${vsn})`, () => eventChecks(vsn))
    await section(`postgres_changes under RLS (${vsn})`, () => rlsChecks(vsn))
  }
  await section('select list (2.0.0)', () => selectChecks('2.0.0'))
  await section('daemon restart (2.0.0)', () => restartChecks('2.0.0'))
} catch (e) {
  check('the checks ran to the end', false, e.stack)
} finally {
  for (const c of clients) c.realtime.disconnect()
  try {
    psql('alter publication supabase_realtime drop table public.rcc_todos; drop table if exists public.rcc_todos, public.rcc_unpublished cascade;')
  } catch (e) {
    console.log(`# cleanup failed: ${e.message}`)
  }
}
summary()
