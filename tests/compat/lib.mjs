// tests/compat/lib.mjs — what the compatibility checks share: the running
// stack's settings (.dev/env), clients of the official @supabase/supabase-js
// each with its own client address, the check/report helpers, and reading
// the mail the stack sent from the Maildir of the loopback SMTP server.

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '@supabase/supabase-js'
import ws from 'ws'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(HERE, '..', '..')

// ------------------------------------------------------------ environment

// KEY=VALUE lines of a file (single-quoted values as scripts/dev writes them).
function readEnvFile(file) {
  const out = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/)
    if (!m) continue
    let value = m[2]
    if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1).replaceAll("'\\''", "'")
    }
    out[m[1]] = value
  }
  return out
}

// PGSTACK_URL, ANON_KEY, SERVICE_ROLE_KEY, SMTP_MAILDIR: from the process
// environment when set, else from .dev/env (PGSTACK_DEV_DIR or ROOT/.dev).
export function stackEnv() {
  const dev = process.env.PGSTACK_DEV_DIR || path.join(ROOT, '.dev')
  const file = path.join(dev, 'env')
  const fromFile = fs.existsSync(file) ? readEnvFile(file) : {}
  const env = {}
  for (const key of ['PGSTACK_URL', 'ANON_KEY', 'SERVICE_ROLE_KEY', 'SMTP_MAILDIR']) {
    env[key] = process.env[key] || fromFile[key]
    if (!env[key]) throw new Error(`${key} is not set and not in ${file} (scripts/dev up)`)
  }
  env.PGSTACK_URL = env.PGSTACK_URL.replace(/\/+$/, '')
  return env
}

export const ENV = stackEnv()

// Another KEY of the process environment or .dev/env (DATABASE_URL, ...);
// undefined when neither has it.
export function devSetting(key) {
  if (process.env[key]) return process.env[key]
  const file = path.join(process.env.PGSTACK_DEV_DIR || path.join(ROOT, '.dev'), 'env')
  return fs.existsSync(file) ? readEnvFile(file)[key] : undefined
}

// ---------------------------------------------------------------- results

const results = { passed: 0, failed: 0 }

export function check(name, ok, detail = '') {
  if (ok) {
    results.passed++
    console.log(`ok - ${name}`)
  } else {
    results.failed++
    console.log(`FAIL - ${name}${detail ? ': ' + detail : ''}`)
  }
  return ok
}

// Runs one group of checks; an exception in it is one failed check (the
// group's remaining checks are not run), never the end of the script.
export async function section(name, fn) {
  console.log(`# ${name}`)
  try {
    await fn()
  } catch (err) {
    check(`${name}: ran to the end`, false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : String(err))
  }
}

export function summary() {
  console.log(`${results.passed} passed, ${results.failed} failed`)
  return results.failed === 0 ? 0 : 1
}

// Short text of a value for failure details.
export function show(value) {
  if (value instanceof Error) {
    return `${value.name}(status ${value.status}, code ${value.code}): ${value.message}`
  }
  const text = JSON.stringify(value)
  return text && text.length > 300 ? text.slice(0, 300) + '...' : String(text)
}

// Is err an AuthApiError with this status, code and (when given) message?
export function isApiError(err, status, code, message) {
  return Boolean(err) && err.name === 'AuthApiError' && err.status === status &&
    err.code === code && (message === undefined || err.message === message)
}

// ----------------------------------------------------------------- clients

// Every client is a different browser: its own address in X-Forwarded-For
// (the dev stack trusts 127.0.0.1 as a proxy), so the per-address rate limit
// of one group of checks never touches another.
let clientCount = 0
const RUN_OCTET = Math.floor(Math.random() * 200) + 20

export function freshAddress() {
  clientCount++
  return `10.${RUN_OCTET}.${Math.floor(clientCount / 250)}.${(clientCount % 250) + 1}`
}

// A supabase-js client as an application creates it on a server: no
// persisted session, no background refresh. Node before 22 has no
// WebSocket of its own, so the realtime part gets the "ws" package, as the
// supabase-js documentation says.
export function newClient(key = ENV.ANON_KEY) {
  const address = freshAddress()
  const client = createClient(ENV.PGSTACK_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { 'X-Forwarded-For': address } },
    realtime: { transport: ws },
  })
  client.address = address
  client.events = []
  client.auth.onAuthStateChange((event) => client.events.push(event))
  return client
}

// Plain HTTP to the stack (for what supabase-js does not do itself, such as
// following a link from an email), from the given client's address.
export async function http(method, pathAndQuery, { client, headers = {}, body } = {}) {
  const h = { apikey: ENV.ANON_KEY, ...headers }
  if (client) h['X-Forwarded-For'] = client.address
  if (body !== undefined) h['Content-Type'] = 'application/json'
  const res = await fetch(ENV.PGSTACK_URL + pathAndQuery, {
    method, headers: h, redirect: 'manual',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json = null
  try { json = text ? JSON.parse(text) : null } catch { json = null }
  return { status: res.status, headers: res.headers, text, json }
}

export async function authSettings() {
  const r = await http('GET', '/auth/v1/settings')
  return r.status === 200 ? r.json : null
}

// The claims of a JWT (not verified: the server did that).
export function jwtClaims(token) {
  const part = String(token).split('.')[1] || ''
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
}

export function uniqueEmail(label) {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
  return `compat-${label}-${tag}@example.com`
}

// -------------------------------------------------------------------- mail

const seenMail = new Set()

function maildirFiles() {
  const out = []
  for (const sub of ['new', 'cur']) {
    const dir = path.join(ENV.SMTP_MAILDIR, sub)
    if (!fs.existsSync(dir)) continue
    for (const name of fs.readdirSync(dir)) out.push(path.join(dir, name))
  }
  return out
}

// Every message already in the Maildir counts as seen: the checks look only
// at mail sent after they started.
export function markAllMailSeen() {
  for (const file of maildirFiles()) seenMail.add(path.basename(file).split(':')[0])
}

function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)))
}

function parseMessage(raw) {
  const split = raw.search(/\r?\n\r?\n/)
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ')
  let body = raw.slice(split).replace(/^\r?\n\r?\n/, '')
  const headers = {}
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] || '')) {
    body = Buffer.from(decodeQuotedPrintable(body), 'latin1').toString('utf8')
  }
  return { headers, body }
}

// The first message to address not seen yet; waits up to timeoutMs.
export async function mailTo(address, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs
  const wanted = address.toLowerCase()
  for (;;) {
    for (const file of maildirFiles()) {
      const key = path.basename(file).split(':')[0]
      if (seenMail.has(key)) continue
      let raw
      try { raw = fs.readFileSync(file, 'latin1') } catch { continue }
      const msg = parseMessage(raw)
      if ((msg.headers.to || '').toLowerCase().includes(wanted)) {
        seenMail.add(key)
        return msg
      }
    }
    if (Date.now() >= deadline) return null
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// The link in a message whose path is /auth/v1<linkPath>, as a URL.
export function linkIn(msg, linkPath) {
  for (const m of (msg ? msg.body : '').matchAll(/https?:\/\/\S+/g)) {
    let url
    try { url = new URL(m[0].replace(/[.,;)]+$/, '')) } catch { continue }
    if (url.pathname === '/auth/v1' + linkPath) return url
  }
  return null
}

// The token of the link to /auth/v1<linkPath> in the next mail to address.
export async function mailedToken(address, linkPath) {
  const link = linkIn(await mailTo(address), linkPath)
  return link ? { token: link.searchParams.get('token'), type: link.searchParams.get('type'), link } : null
}
