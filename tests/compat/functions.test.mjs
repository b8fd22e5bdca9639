#!/usr/bin/env node
// tests/compat/functions.test.mjs — the official client, @supabase/supabase-js
// (exact version in package-lock.json), against pgstack's /functions/v1 on
// the running dev stack (.dev/env): supabase.functions.invoke as an
// application calls it, judged by what supabase-js hands back (data, the
// error's class and its context Response).
//
//   node tests/compat/functions.test.mjs
//
// Deploys its own functions (prefix cp_, from
// tests/integration/functions_fixtures) with `pgstack functions deploy` and
// DATABASE_URL from .dev/env, deletes them at the end, and signs a user up
// (REQUIRE_EMAIL_VERIFICATION=false, the default). Prints one line per
// check and ends with "N passed, N failed"; exits 1 when a check failed.

import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { FunctionsHttpError, FunctionsRelayError } from '@supabase/supabase-js'
import { ENV, ROOT, check, devSetting, newClient, section, show, summary, uniqueEmail } from './lib.mjs'

const DATABASE_URL = devSetting('DATABASE_URL')
const FIXTURES = path.join(ROOT, 'tests', 'integration', 'functions_fixtures')
const DEPLOYED = { cp_echo: 'echo', cp_whoami: 'whoami', cp_sse: 'sse', cp_throw: 'throw' }

function pgstack(...args) {
  return execFileSync(path.join(devSetting('PGSTACK_BUILD_DIR') || path.join(ROOT, '.dev', 'build'), 'pgstack'), ['functions', ...args, '--database-url', DATABASE_URL],
    { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
}

function isHttpError(error, status) {
  return error instanceof FunctionsHttpError && !(error instanceof FunctionsRelayError) &&
    error.context && error.context.status === status
}

async function bodies(db) {
  let { data, error } = await db.functions.invoke('cp_echo', { body: { hello: 'world', n: 1 } })
  check('JSON body: sent as application/json, data parsed as JSON',
    !error && data.method === 'POST' && data.body === '{"hello":"world","n":1}' &&
    data.headers['content-type'] === 'application/json', show(error || data))
  check('the function sees apikey, Authorization (anon key) and x-client-info',
    data.headers.apikey === ENV.ANON_KEY && data.headers.authorization === `Bearer ${ENV.ANON_KEY}` &&
    /^supabase-js/.test(data.headers['x-client-info'] || ''), show(data.headers))

  ;({ data, error } = await db.functions.invoke('cp_echo', { body: 'plain words' }))
  check('text body: text/plain, untouched', !error && data.body === 'plain words' &&
    data.headers['content-type'] === 'text/plain', show(error || data))

  const bytes = new Uint8Array(512).map((_, i) => (i * 7) % 256)
  ;({ data, error } = await db.functions.invoke('cp_echo?binary=1', { body: new Blob([bytes], { type: 'application/octet-stream' }) }))
  check('Blob body: bytes and type arrive unchanged', !error &&
    Buffer.from(data.body, 'base64').equals(Buffer.from(bytes)) &&
    data.headers['content-type'] === 'application/octet-stream', show(error || data))

  const form = new FormData()
  form.append('field', 'value 1')
  form.append('file', new Blob(['file body'], { type: 'text/plain' }), 'a.txt')
  ;({ data, error } = await db.functions.invoke('cp_echo', { body: form }))
  check('FormData body: multipart with its boundary', !error &&
    /^multipart\/form-data; boundary=/.test(data.headers['content-type']) &&
    data.body.includes('name="field"') && data.body.includes('file body'), show(error || data))

  ;({ data, error } = await db.functions.invoke('cp_echo/items/7?x=1', {
    method: 'GET', headers: { 'x-custom-header': 'custom' },
  }))
  check('GET with a sub-path, a query and a custom header', !error && data.method === 'GET' &&
    data.path === '/cp_echo/items/7' && data.query.x === '1' &&
    data.headers['x-custom-header'] === 'custom', show(error || data))

  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    ;({ data, error } = await db.functions.invoke('cp_echo', { method, body: { m: method } }))
    check(`${method} reaches the function`, !error && data.method === method, show(error || data))
  }

  ;({ data, error } = await db.functions.invoke('cp_echo', { body: {}, region: 'eu-west-1' }))
  check('a region (x-region, forceFunctionRegion) is accepted', !error &&
    data.headers['x-region'] === 'eu-west-1' && data.query.forceFunctionRegion === 'eu-west-1',
  show(error || data))
}

async function errors(db) {
  let { data, error } = await db.functions.invoke('cp_whoami?status=400', { body: {} })
  check('a 400 from the function -> FunctionsHttpError, context.status 400, body readable',
    isHttpError(error, 400) && (await error.context.json()).claims.role === 'anon', show(error || data))

  ;({ data, error } = await db.functions.invoke('cp_nope', { body: {} }))
  const notFound = error && error.context ? await error.context.json() : null
  check('unknown function -> FunctionsHttpError 404 with a JSON error', isHttpError(error, 404) &&
    typeof notFound.error === 'string', show(error || data))

  const stranger = newClient()
  ;({ data, error } = await stranger.functions.invoke('cp_echo', {
    body: {}, headers: { Authorization: 'Bearer not.a.jwt' },
  }))
  check('a bad token -> FunctionsHttpError 401 (not a relay error)', isHttpError(error, 401), show(error || data))

  ;({ data, error } = await db.functions.invoke('cp_throw', { body: {} }))
  check('an exception in the function -> FunctionsHttpError 500', isHttpError(error, 500), show(error || data))
}

async function streaming(db) {
  const { data, error } = await db.functions.invoke('cp_sse?n=3&gap=300', { method: 'GET' })
  check('text/event-stream: data is the Response to read', !error && data instanceof Response, show(error))
  if (error) return
  const text = await data.text()
  const events = text.split('\n\n').filter((e) => e.startsWith('data:'))
  check('the stream carries every event', events.length === 3, text)
}

async function signedIn() {
  const db = newClient()
  const { data: signUp, error: signUpError } = await db.auth.signUp({ email: uniqueEmail('fn'), password: 'correct horse 1' })
  if (signUpError || !signUp.session) throw new Error(`signUp: ${show(signUpError || signUp)}`)
  const { data, error } = await db.functions.invoke('cp_whoami', { body: {} })
  check('a signed-in user: the function receives the session token',
    !error && data.claims.sub === signUp.user.id && data.claims.role === 'authenticated', show(error || data))
}

async function main() {
  for (const [name, folder] of Object.entries(DEPLOYED)) pgstack('deploy', name, path.join(FIXTURES, folder))
  const db = newClient()
  try {
    await section('functions.invoke bodies, methods, headers, sub-paths', () => bodies(db))
    await section('functions.invoke errors: FunctionsHttpError with the status', () => errors(db))
    await section('functions.invoke server-sent events', () => streaming(db))
    await section('functions.invoke as a signed-in user', () => signedIn())
  } finally {
    for (const name of Object.keys(DEPLOYED)) {
      try { pgstack('delete', name) } catch (_) { /* already gone */ }
    }
  }
  return summary()
}

process.exitCode = await main()
