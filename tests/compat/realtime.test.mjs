#!/usr/bin/env node
// tests/compat/realtime.test.mjs — supabase-js channels (the official
// client, exact version in package-lock.json, with the "ws" transport on
// Node 20) against pgstack-realtime through the web server's WebSocket
// proxy, in both serializers (vsn 1.0.0 JSON objects, vsn 2.0.0 arrays and
// binary broadcast frames): subscribe, broadcast (self, ack, binary
// payloads, between the two serializers, REST: send() on an unjoined
// channel and httpSend()), presence (sync, join, leave on
// untrack and on disconnect, re-track), unsubscribe, the postgres_changes
// status message, private channels (RLS policies on realtime.messages as
// Supabase users write them, two users and a stranger), broadcast from the
// database (realtime.send), access tokens and their expiry,
// and a socket kept alive by heartbeats past the daemon's idle timeout
// (suites.conf runs this with REALTIME_IDLE_TIMEOUT=5; the clients beat
// every 2 s). Prints one line per check and ends with "N passed, N failed".

import { createClient } from '@supabase/supabase-js'
import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import ws from 'ws'
import { ENV, check, devSetting, section, show, summary } from './lib.mjs'

const JWT_SECRET = devSetting('JWT_SECRET')
const clients = []

function rtClient(vsn, key = ENV.ANON_KEY) {
  const c = createClient(ENV.PGSTACK_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws, vsn, heartbeatIntervalMs: 2000 },
  })
  clients.push(c)
  return c
}

function b64url(buf) {
  return Buffer.from(buf).toString('base64url')
}

function sign(claims) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64url(JSON.stringify(claims))
  const sig = crypto.createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest()
  return `${head}.${body}.${b64url(sig)}`
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// Resolves with the first status among wanted (and the error), or 'timeout'.
function subscribe(channel, wanted = ['SUBSCRIBED', 'CHANNEL_ERROR', 'CLOSED'], ms = 5000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'timeout' }), ms)
    channel.subscribe((status, err) => {
      if (wanted.includes(status)) {
        clearTimeout(timer)
        resolve({ status, err })
      }
    })
  })
}

// Waits until pred() is true (polling), up to ms.
async function until(pred, ms = 3000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (pred()) return true
    await sleep(25)
  }
  return pred()
}

async function broadcastChecks(vsn) {
  const a = rtClient(vsn), b = rtClient(vsn)
  const topic = `bc-${vsn}-${Date.now()}`
  const gotA = [], gotB = []
  const ca = a.channel(topic).on('broadcast', { event: 'hi' }, (m) => gotA.push(m))
  const cb = b.channel(topic).on('broadcast', { event: 'hi' }, (m) => gotB.push(m))
  const sa = await subscribe(ca), sb = await subscribe(cb)
  check(`${vsn}: two clients subscribe`, sa.status === 'SUBSCRIBED' && sb.status === 'SUBSCRIBED', show([sa, sb]))
  const r = await ca.send({ type: 'broadcast', event: 'hi', payload: { n: 1, text: 'héllo' } })
  await until(() => gotB.length >= 1)
  await sleep(200)
  check(`${vsn}: broadcast reaches the other member, not the sender (self off)`,
    r === 'ok' && gotB.length === 1 && gotA.length === 0 &&
    JSON.stringify(gotB[0]) === JSON.stringify({ type: 'broadcast', event: 'hi', payload: { n: 1, text: 'héllo' } }),
    show({ r, gotA, gotB }))

  const c = rtClient(vsn)
  const gotC = []
  const cc = c.channel(topic, { config: { broadcast: { self: true, ack: true } } })
    .on('broadcast', { event: 'hi' }, (m) => gotC.push(m))
  await subscribe(cc)
  const acked = await cc.send({ type: 'broadcast', event: 'hi', payload: { n: 2 } })
  await until(() => gotC.length >= 1 && gotB.length >= 2)
  check(`${vsn}: self + ack: send() resolves ok after the server's ack and the sender gets its own message`,
    acked === 'ok' && gotC.length === 1 && gotC[0].payload.n === 2 && gotB.length === 2, show({ acked, gotC, gotB }))

  const other = gotB.length
  const cother = b.channel(`${topic}-other`).on('broadcast', { event: 'hi' }, (m) => gotB.push(m))
  await subscribe(cother)
  await ca.send({ type: 'broadcast', event: 'other-event', payload: {} })
  await sleep(300)
  check(`${vsn}: broadcasts stay in their topic and event`, gotB.length === other, show(gotB.slice(other)))

  if (vsn === '2.0.0') {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    const gotBin = []
    cb.on('broadcast', { event: 'bin' }, (m) => gotBin.push(m))
    await ca.send({ type: 'broadcast', event: 'bin', payload: bytes.buffer })
    await until(() => gotBin.length >= 1)
    const p = gotBin[0] && gotBin[0].payload
    check('2.0.0: a binary payload (kind 3 in, kind 4 out) arrives byte for byte',
      p instanceof ArrayBuffer && Buffer.from(p).equals(Buffer.from(bytes)), show(gotBin))
  }
  const left = await ca.unsubscribe()
  check(`${vsn}: unsubscribe() resolves ok (phx_leave answered, then phx_close)`, left === 'ok', left)
}

async function crossSerializerChecks() {
  const v1 = rtClient('1.0.0'), v2 = rtClient('2.0.0')
  const topic = `mixed-${Date.now()}`
  const got1 = [], got2 = []
  const c1 = v1.channel(topic).on('broadcast', { event: 'x' }, (m) => got1.push(m.payload))
  const c2 = v2.channel(topic).on('broadcast', { event: 'x' }, (m) => got2.push(m.payload))
  await subscribe(c1)
  await subscribe(c2)
  await c1.send({ type: 'broadcast', event: 'x', payload: { from: 'v1' } })
  await c2.send({ type: 'broadcast', event: 'x', payload: { from: 'v2' } })
  await until(() => got1.length >= 1 && got2.length >= 1)
  check('vsn 1.0.0 and 2.0.0 clients on one topic hear each other',
    got1.length === 1 && got1[0].from === 'v2' && got2.length === 1 && got2[0].from === 'v1', show({ got1, got2 }))
}

async function presenceChecks(vsn) {
  const a = rtClient(vsn), b = rtClient(vsn)
  const topic = `pr-${vsn}-${Date.now()}`
  const joins = [], leaves = []
  const ca = a.channel(topic, { config: { presence: { key: 'alice' } } })
  const cb = b.channel(topic, { config: { presence: { key: 'bob' } } })
  let syncs = 0
  cb.on('presence', { event: 'sync' }, () => syncs++)
    .on('presence', { event: 'join' }, (e) => joins.push(e))
    .on('presence', { event: 'leave' }, (e) => leaves.push(e))
  ca.on('presence', { event: 'sync' }, () => {})
  await subscribe(cb)
  await subscribe(ca)
  const tr = await ca.track({ status: 'online' })
  await until(() => cb.presenceState().alice)
  const st = cb.presenceState()
  check(`${vsn}: track() ok; the other member's presenceState has the key with its state`,
    tr === 'ok' && st.alice && st.alice.length === 1 && st.alice[0].status === 'online' &&
    typeof st.alice[0].presence_ref === 'string', show({ tr, st }))
  check(`${vsn}: join event with key and newPresences`,
    joins.some((j) => j.key === 'alice' && j.newPresences[0].status === 'online') && syncs > 0, show(joins))
  await ca.track({ status: 'away' })
  await until(() => cb.presenceState().alice && cb.presenceState().alice[0].status === 'away')
  const st2 = cb.presenceState()
  check(`${vsn}: tracking again replaces the state (one meta)`,
    st2.alice && st2.alice.length === 1 && st2.alice[0].status === 'away', show(st2))
  const un = await ca.untrack()
  await until(() => !cb.presenceState().alice)
  check(`${vsn}: untrack() ok; the key leaves`, un === 'ok' && !cb.presenceState().alice &&
    leaves.some((l) => l.key === 'alice'), show({ un, st: cb.presenceState(), leaves }))
  await ca.track({ status: 'back' })
  await until(() => cb.presenceState().alice)
  const c = rtClient(vsn)
  const cc = c.channel(topic)
  cc.on('presence', { event: 'sync' }, () => {})
  await subscribe(cc)
  await until(() => cc.presenceState().alice)
  check(`${vsn}: a late joiner gets presence_state with the current members`,
    cc.presenceState().alice && cc.presenceState().alice[0].status === 'back', show(cc.presenceState()))
  a.realtime.disconnect()
  await until(() => !cb.presenceState().alice, 4000)
  check(`${vsn}: a disconnected client leaves presence`, !cb.presenceState().alice, show(cb.presenceState()))
}

async function joinChecks(vsn) {
  const a = rtClient(vsn)
  const systems = []
  const ch = a.channel(`pg-${vsn}-${Date.now()}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_items' }, () => {})
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_items', filter: 'id=eq.3' }, () => {})
    .on('system', {}, (m) => systems.push(m))
  const s = await subscribe(ch)
  await until(() => systems.length > 0)
  check(`${vsn}: postgres_changes bindings on a table outside the publication are echoed in order (no binding mismatch) and a system error names the reason`,
    s.status === 'SUBSCRIBED' && systems.some((m) => m.extension === 'postgres_changes' && m.status === 'error'),
    show({ s, systems }))
  const p = a.channel(`private-${vsn}`, { config: { private: true } })
  const ps = await subscribe(p)
  check(`${vsn}: a private channel without an RLS policy is refused with a reason (CHANNEL_ERROR, not silence)`,
    ps.status === 'CHANNEL_ERROR' && /Unauthorized/.test(String(ps.err && ps.err.message)), show(ps))
  p.unsubscribe()
}

async function tokenChecks(vsn) {
  const now = Math.floor(Date.now() / 1000)
  const user = sign({ sub: crypto.randomUUID(), role: 'authenticated', aud: 'authenticated', exp: now + 3600 })
  const a = rtClient(vsn)
  await a.realtime.setAuth(user)
  const ch = a.channel(`tok-${vsn}-${Date.now()}`)
  const s = await subscribe(ch)
  check(`${vsn}: setAuth(user JWT) then subscribe: the join carries the token and succeeds`, s.status === 'SUBSCRIBED', show(s))

  const b = rtClient(vsn)
  await b.realtime.setAuth(sign({ sub: 'short', role: 'authenticated', exp: now + 3 }))
  const statuses = []
  const cb = b.channel(`exp-${vsn}-${Date.now()}`)
  const sb = await subscribe(cb)
  cb.subscribe((status) => statuses.push(status))
  await until(() => statuses.includes('CLOSED') || cb.state === 'closed', 7000)
  check(`${vsn}: a channel whose token expires is closed by the server`,
    sb.status === 'SUBSCRIBED' && (statuses.includes('CLOSED') || cb.state === 'closed'), show({ sb, statuses, state: cb.state }))

  const bad = rtClient(vsn)
  await bad.realtime.setAuth(sign({ sub: 'x', role: 'authenticated', exp: now - 60 }))
  const cbad = bad.channel(`badtok-${vsn}-${Date.now()}`)
  const sbad = await subscribe(cbad)
  check(`${vsn}: an expired access_token makes the join fail with InvalidJWTToken`,
    sbad.status === 'CHANNEL_ERROR' && /InvalidJWTToken/.test(String(sbad.err && sbad.err.message)), show(sbad))
  cbad.unsubscribe()
}

function psql(sql) {
  return execFileSync('psql', [devSetting('DATABASE_URL'), '-v', 'ON_ERROR_STOP=1', '-qAtc', sql],
    { encoding: 'utf8' })
}

// Private channels as Supabase's docs write them: a membership table, RLS
// policies on realtime.messages with realtime.topic(), setAuth() before
// subscribe; a writer, a read-only member and a stranger.
async function privateChecks(vsn) {
  const now = Math.floor(Date.now() / 1000)
  const topic = `priv-js-${vsn}-${Date.now()}`
  const ids = { writer: crypto.randomUUID(), reader: crypto.randomUUID(), stranger: crypto.randomUUID() }
  psql(`set client_min_messages = warning;
    create table if not exists public.rt_compat_members (user_id uuid, room text, can_write boolean);
    grant select on public.rt_compat_members to authenticated;
    drop policy if exists rt_compat_read on realtime.messages;
    drop policy if exists rt_compat_write on realtime.messages;
    create policy rt_compat_read on realtime.messages for select to authenticated using (
      exists (select 1 from public.rt_compat_members m where m.user_id = auth.uid() and m.room = realtime.topic()));
    create policy rt_compat_write on realtime.messages for insert to authenticated with check (
      exists (select 1 from public.rt_compat_members m
              where m.user_id = auth.uid() and m.room = realtime.topic() and m.can_write));
    insert into public.rt_compat_members values ('${ids.writer}', '${topic}', true), ('${ids.reader}', '${topic}', false);`)
  try {
    const clientFor = async (who) => {
      const c = rtClient(vsn)
      await c.realtime.setAuth(sign({ sub: ids[who], role: 'authenticated', aud: 'authenticated', exp: now + 3600 }))
      return c
    }
    const got = { writer: [], reader: [] }
    const w = (await clientFor('writer')).channel(topic, { config: { private: true, broadcast: { ack: true } } })
      .on('broadcast', { event: 'm' }, (m) => got.writer.push(m.payload))
    const r = (await clientFor('reader')).channel(topic, { config: { private: true, broadcast: { ack: true } } })
      .on('broadcast', { event: 'm' }, (m) => got.reader.push(m.payload))
      .on('presence', { event: 'sync' }, () => {})
    const x = (await clientFor('stranger')).channel(topic, { config: { private: true } })
    const [sw, sr, sx] = [await subscribe(w), await subscribe(r), await subscribe(x)]
    check(`${vsn}: private channel: both members subscribe (SELECT policy)`,
      sw.status === 'SUBSCRIBED' && sr.status === 'SUBSCRIBED', show([sw, sr]))
    check(`${vsn}: private channel: a stranger gets CHANNEL_ERROR with Supabase's reason`,
      sx.status === 'CHANNEL_ERROR' &&
      String(sx.err && sx.err.message).startsWith('Unauthorized: You do not have permissions to read from this Channel topic'),
      show(sx))
    x.unsubscribe()
    const sent = await w.send({ type: 'broadcast', event: 'm', payload: { from: 'writer' } })
    await until(() => got.reader.length >= 1)
    check(`${vsn}: private channel: the writer's send() is acked 'ok' and the reader receives it`,
      sent === 'ok' && got.reader.length === 1 && got.reader[0].from === 'writer', show({ sent, got }))
    const refused = await r.send({ type: 'broadcast', event: 'm', payload: { from: 'reader' } })
    await sleep(300)
    check(`${vsn}: private channel: the read-only member's send() is refused ('error'), nobody receives it`,
      refused === 'error' && got.writer.length === 0, show({ refused, got }))
    const tracked = await w.track({ online: true })
    const notTracked = await r.track({ online: true })
    check(`${vsn}: private channel: track() needs the INSERT policy (writer 'ok', reader 'error')`,
      tracked === 'ok' && notTracked === 'error', show({ tracked, notTracked }))
    const viaHttp = await w.httpSend('m', { from: 'http' }).catch((e) => e)
    await until(() => got.reader.length >= 2)
    check(`${vsn}: private channel: httpSend() by the writer -> 202, delivered`,
      viaHttp && viaHttp.success === true && got.reader.some((p) => p.from === 'http'), show({ viaHttp, got }))
    let err = null
    try { await r.httpSend('m', { from: 'reader-http' }) } catch (e) { err = e }
    check(`${vsn}: private channel: httpSend() by the read-only member is refused with the reason`,
      err && /Unauthorized/.test(err.message), show(err))
    w.unsubscribe()
    r.unsubscribe()
  } finally {
    psql(`set client_min_messages = warning;
      drop policy if exists rt_compat_read on realtime.messages;
      drop policy if exists rt_compat_write on realtime.messages;
      drop table if exists public.rt_compat_members;`)
  }
}

// Broadcast from the database (sql/0018_realtime_send.sql): what
// `select realtime.send(...)` sends reaches supabase-js channels, public and
// private (the reader's join granted by a SELECT policy), with meta {id}.
async function dbSendChecks(vsn) {
  const topic = `dbsend-js-${vsn}-${Date.now()}`
  const reader = crypto.randomUUID()
  psql(`set client_min_messages = warning;
    drop policy if exists rt_compat_dbsend on realtime.messages;
    create policy rt_compat_dbsend on realtime.messages for select to authenticated using (
      realtime.topic() = '${topic}' and auth.uid() = '${reader}');`)
  try {
    const pub = [], priv = []
    const a = rtClient(vsn)
    const ca = a.channel(topic).on('broadcast', { event: 'db' }, (m) => pub.push(m))
    const b = rtClient(vsn)
    await b.realtime.setAuth(sign({ sub: reader, role: 'authenticated', aud: 'authenticated',
      exp: Math.floor(Date.now() / 1000) + 3600 }))
    const cb = b.channel(topic, { config: { private: true } }).on('broadcast', { event: 'db' }, (m) => priv.push(m))
    const [sa, sb] = [await subscribe(ca), await subscribe(cb)]
    check(`${vsn}: realtime.send: a public and a private channel subscribe`,
      sa.status === 'SUBSCRIBED' && sb.status === 'SUBSCRIBED', show([sa, sb]))
    psql(`select realtime.send('{"n": 1}', 'db', '${topic}', false)`)
    psql(`select realtime.send('{"n": 2}', 'db', '${topic}')`)
    await until(() => pub.length >= 1 && priv.length >= 1)
    await sleep(200)
    const p = pub[0] || {}, q = priv[0] || {}
    check(`${vsn}: realtime.send(payload, event, topic, false) reaches the public channel with payload.id = meta.id`,
      pub.length === 1 && p.payload && p.payload.n === 1 && p.meta && p.meta.id === p.payload.id, show(pub))
    check(`${vsn}: realtime.send(payload, event, topic) (private by default) reaches the authorized private member only`,
      priv.length === 1 && q.payload && q.payload.n === 2 && q.meta && q.meta.id === q.payload.id, show(priv))
    ca.unsubscribe()
    cb.unsubscribe()
  } finally {
    psql(`set client_min_messages = warning; drop policy if exists rt_compat_dbsend on realtime.messages;`)
  }
}

async function restChecks() {
  const a = rtClient('2.0.0'), b = rtClient('1.0.0')
  const topic = `rest-${Date.now()}`
  const gotA = [], gotB = []
  const ca = a.channel(topic).on('broadcast', { event: 'r' }, (m) => gotA.push(m.payload))
  const cb = b.channel(topic).on('broadcast', { event: 'r' }, (m) => gotB.push(m.payload))
  await subscribe(ca)
  await subscribe(cb)
  const sender = rtClient('2.0.0')
  const unjoined = sender.channel(topic)
  const origWarn = console.warn
  console.warn = () => {} // supabase-js warns that the REST fallback will be deprecated
  const viaRest = await unjoined.send({ type: 'broadcast', event: 'r', payload: { via: 'send' } })
  console.warn = origWarn
  await until(() => gotA.length >= 1 && gotB.length >= 1)
  check("send() on a channel that is not joined falls back to POST /api/broadcast: 'ok', both serializers receive",
    viaRest === 'ok' && gotA[0] && gotA[0].via === 'send' && gotB[0] && gotB[0].via === 'send', show({ viaRest, gotA, gotB }))
  const r = await unjoined.httpSend('r', { via: 'httpSend' })
  await until(() => gotA.length >= 2 && gotB.length >= 2)
  check('httpSend() -> 202 ({success: true}), delivered',
    r && r.success === true && gotA[1] && gotA[1].via === 'httpSend' && gotB[1].via === 'httpSend', show({ r, gotA, gotB }))
  const p = sender.channel(`${topic}-p`, { config: { private: true } })
  let err = null
  try { await p.httpSend('r', { x: 1 }) } catch (e) { err = e }
  check('httpSend() on a private channel without an RLS policy is refused with the reason',
    err && /Unauthorized/.test(err.message), show(err))
}

async function heartbeatChecks() {
  const a = rtClient('2.0.0'), b = rtClient('2.0.0')
  const topic = `hb-${Date.now()}`
  const got = [], statuses = []
  const ca = a.channel(topic).on('broadcast', { event: 'late' }, (m) => got.push(m))
  ca.subscribe((s) => statuses.push(s))
  const cb = b.channel(topic)
  await subscribe(cb)
  await until(() => statuses.includes('SUBSCRIBED'))
  await sleep(12000) // more than twice the daemon's 5 s idle timeout
  await cb.send({ type: 'broadcast', event: 'late', payload: { ok: true } })
  await until(() => got.length > 0)
  check('heartbeats keep a supabase-js socket open past the idle timeout (12 s, no reconnect)',
    got.length === 1 && statuses.filter((s) => s === 'SUBSCRIBED').length === 1 &&
    !statuses.includes('CHANNEL_ERROR') && !statuses.includes('TIMED_OUT'), show({ got, statuses }))
}

for (const vsn of ['1.0.0', '2.0.0']) {
  await section(`broadcast (vsn ${vsn})`, () => broadcastChecks(vsn))
  await section(`presence (vsn ${vsn})`, () => presenceChecks(vsn))
  await section(`joins (vsn ${vsn})`, () => joinChecks(vsn))
  await section(`tokens (vsn ${vsn})`, () => tokenChecks(vsn))
  await section(`private channels (vsn ${vsn})`, () => privateChecks(vsn))
  await section(`broadcast from the database (vsn ${vsn})`, () => dbSendChecks(vsn))
}
await section('both serializers on one topic', crossSerializerChecks)
await section('REST broadcast (send() fallback, httpSend)', restChecks)
await section('heartbeat', heartbeatChecks)

for (const c of clients) c.realtime.disconnect()
process.exitCode = summary()
setTimeout(() => process.exit(process.exitCode), 200)
