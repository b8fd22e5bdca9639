#!/usr/bin/env node
// tests/compat/auth_pkce.test.mjs — supabase-js with flowType 'pkce' and
// @supabase/ssr's createServerClient (exact versions in package-lock.json)
// against pgstack's /auth/v1 on the running dev stack (.dev/env).
//
//   node tests/compat/auth_pkce.test.mjs    REQUIRE_EMAIL_VERIFICATION=true, SECURE_EMAIL_CHANGE=true,
//                                           google at the test OpenID provider
//                                           (OAUTH_PROVIDER_URL)
//
// tests/integration/compat_auth_test.py restarts the workers with those
// settings. Checks: sign-up confirmation, magic link, password recovery
// and OAuth sign-in each end with exchangeCodeForSession; a wrong verifier
// and a reused code are refused with GoTrue's codes; signInWithIdToken with
// an ID token of the test provider; verifyOtp with the
// 6-digit code of the mail; resend and reauthenticate; the secure email
// change (SECURE_EMAIL_CHANGE=true: both addresses confirm); and a server framework's cookie jar holding an
// @supabase/ssr session: sign-in, the session in cookies, the PKCE
// callback route, refresh, sign-out clearing them. Prints one line per
// check and "N passed, N failed"; exits 1 when a check failed.

import { createClient } from '@supabase/supabase-js'
import { createServerClient } from '@supabase/ssr'
import ws from 'ws'
import crypto from 'node:crypto'
import {
  ENV, check, devSetting, freshAddress, http, isApiError, jwtClaims, linkIn, mailTo,
  markAllMailSeen, section, show, summary, uniqueEmail,
} from './lib.mjs'

const PASSWORD = 'correct horse 1'
const APP = 'http://127.0.0.1:3000/app/callback'
const PROVIDER = devSetting('OAUTH_PROVIDER_URL')

// ------------------------------------------------------------ clients

// A browser's localStorage, inspectable.
function memoryStorage() {
  const items = new Map()
  return {
    items,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => { items.set(k, v) },
    removeItem: (k) => { items.delete(k) },
  }
}

function pkceClient() {
  const address = freshAddress()
  const storage = memoryStorage()
  const client = createClient(ENV.PGSTACK_URL, ENV.ANON_KEY, {
    auth: { flowType: 'pkce', storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { 'X-Forwarded-For': address } },
    realtime: { transport: ws },
  })
  client.address = address
  client.storage = storage
  client.events = []
  client.auth.onAuthStateChange((event) => client.events.push(event))
  return client
}

function verifierKey(storage) {
  return [...storage.items.keys()].find((k) => k.endsWith('-code-verifier'))
}

// Opens a mailed link as the browser does: the 302's ?code=.
async function codeFromLink(client, link) {
  const r = await http('GET', link.pathname + link.search, { client, headers: { Accept: 'text/html' } })
  const location = r.headers.get('location') || ''
  const url = location ? new URL(location) : null
  return { status: r.status, location, code: url ? url.searchParams.get('code') : null }
}

async function codeFromMail(client, email, linkPath) {
  const link = linkIn(await mailTo(email), linkPath)
  if (!link) return { status: 0, location: '', code: null }
  return codeFromLink(client, link)
}

// ------------------------------------------------------- email flows

async function signUpConfirmation() {
  const c = pkceClient()
  const email = uniqueEmail('pkce-signup')
  let { data, error } = await c.auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: APP } })
  check('pkce signUp -> user, no session, the verifier kept in storage', !error && data.user &&
    !data.session && verifierKey(c.storage), show(error || data))
  const { status, location, code } = await codeFromMail(c, email, '/verify')
  check('the confirmation link -> 302 to emailRedirectTo with ?code=', status === 302 &&
    location.startsWith(APP + '?code=') && code, location)
  ;({ data, error } = await c.auth.exchangeCodeForSession(code))
  check('exchangeCodeForSession -> session of the confirmed user, SIGNED_IN', !error &&
    data.session?.access_token && data.user?.email === email && data.user?.email_confirmed_at &&
    c.events.includes('SIGNED_IN'), show(error || data))
  check('the access token: amr otp, aal1', jwtClaims(data.session?.access_token).amr?.[0]?.method === 'otp' &&
    jwtClaims(data.session?.access_token).aal === 'aal1', show(jwtClaims(data.session?.access_token)))
}

async function magicLinkAndRefusals() {
  const c = pkceClient()
  const email = uniqueEmail('pkce-magic')
  let { error } = await c.auth.signInWithOtp({ email, options: { emailRedirectTo: APP } })
  check('pkce signInWithOtp -> no error', !error, show(error))
  const verifier = c.storage.getItem(verifierKey(c.storage))
  let { code } = await codeFromMail(c, email, '/magiclink/verify')
  // a stolen code with another verifier
  c.storage.setItem(verifierKey(c.storage), JSON.stringify('x'.repeat(56))) // stored as JSON
  let { data, error: e1 } = await c.auth.exchangeCodeForSession(code)
  check('a wrong verifier -> AuthApiError 400 bad_code_verifier', isApiError(e1, 400, 'bad_code_verifier',
    'code challenge does not match previously saved code verifier') && !data.session, show(e1))

  ;({ error } = await c.auth.signInWithOtp({ email, options: { emailRedirectTo: APP } }))
  const key = verifierKey(c.storage)
  const second = c.storage.getItem(key)
  ;({ code } = await codeFromMail(c, email, '/magiclink/verify'))
  ;({ data, error } = await c.auth.exchangeCodeForSession(code))
  check('magic link -> exchangeCodeForSession -> session (amr magiclink)', !error &&
    data.session && data.user?.email === email &&
    jwtClaims(data.session.access_token).amr?.[0]?.method === 'magiclink', show(error || data))
  c.storage.setItem(key, second)
  ;({ data, error } = await c.auth.exchangeCodeForSession(code))
  check('the code again -> AuthApiError 404 flow_state_not_found', isApiError(error, 404,
    'flow_state_not_found', 'invalid flow state, no valid flow state found') && !data.session, show(error))
  check('the first verifier differed from the second', verifier && verifier !== second, '')
}

async function passwordRecovery() {
  const c = pkceClient()
  const email = uniqueEmail('pkce-recover')
  await c.auth.signUp({ email, password: PASSWORD })
  const confirmation = await mailTo(email)
  const plain = createClient(ENV.PGSTACK_URL, ENV.ANON_KEY, { auth: { persistSession: false }, realtime: { transport: ws } })
  await plain.auth.verifyOtp({ email, token: (confirmation?.body.match(/\n\n(\d{6})\n/) || [])[1], type: 'signup' })
  let { error } = await c.auth.resetPasswordForEmail(email, { redirectTo: APP })
  check('pkce resetPasswordForEmail -> no error, verifier marked /recovery',
    !error && /\/recovery"$/.test(c.storage.getItem(verifierKey(c.storage)) || ''), show(error))
  const { code } = await codeFromMail(c, email, '/verify')
  let data
  ;({ data, error } = await c.auth.exchangeCodeForSession(code))
  check('recovery link -> exchangeCodeForSession -> session, PASSWORD_RECOVERY, redirectType recovery',
    !error && data.session && c.events.includes('PASSWORD_RECOVERY') && data.redirectType === 'recovery',
    show(error || data) + ' ' + show(c.events))
  ;({ error } = await c.auth.updateUser({ password: 'a new password 2' }))
  const other = pkceClient()
  ;({ data, error } = await other.auth.signInWithPassword({ email, password: 'a new password 2' }))
  check('updateUser in the recovery session sets the new password', !error && data.session, show(error))
}

async function verifyOtpCode() {
  const c = pkceClient()
  const email = uniqueEmail('otp-code')
  await c.auth.signUp({ email, password: PASSWORD })
  const msg = await mailTo(email)
  const code = (msg?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  check('the confirmation mail carries a 6-digit code', Boolean(code), show(msg?.body))
  let { data, error } = await c.auth.verifyOtp({ email, token: '000000' === code ? '000001' : '000000', type: 'signup' })
  check('verifyOtp with a wrong code -> AuthApiError 400 otp_expired', isApiError(error, 400, 'otp_expired'), show(error))
  ;({ data, error } = await c.auth.verifyOtp({ email, token: code, type: 'signup' }))
  check('verifyOtp {email, token, type: signup} -> session', !error && data.session &&
    data.user?.email === email, show(error || data))
  ;({ error } = await c.auth.signInWithOtp({ email }))
  const again = ((await mailTo(email))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  ;({ data, error } = await c.auth.verifyOtp({ email, token: again, type: 'email' }))
  check('verifyOtp {type: email} with the code of the magic-link mail -> session', !error &&
    data.session?.user?.email === email, show(error || data))
}

// SECURE_EMAIL_CHANGE=true (phase 3): both addresses confirm.
async function secureEmailChange() {
  const c = pkceClient()
  const email = uniqueEmail('secure-change')
  const next = uniqueEmail('secure-change-new')
  await c.auth.signUp({ email, password: PASSWORD })
  const first = ((await mailTo(email))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  let { data, error } = await c.auth.verifyOtp({ email, token: first, type: 'signup' })
  ;({ data, error } = await c.auth.updateUser({ email: next }))
  check('updateUser({email}) -> the user with new_email pending', !error && data.user?.new_email === next &&
    data.user?.email === email, show(error || data))
  const codeOf = async (address) => ((await mailTo(address))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  const toNew = await codeOf(next)
  const toCurrent = await codeOf(email)
  check('a code mailed to the new address and one to the current address', Boolean(toNew && toCurrent), '')
  ;({ data, error } = await c.auth.verifyOtp({ email, token: toCurrent, type: 'email_change' }))
  check('verifyOtp with the current address\'s code -> no error, no session yet (GoTrue\'s 200 message)',
    !error && !data.session, show(error || data))
  ;({ data, error } = await c.auth.getUser())
  check('getUser(): the address has not changed yet', !error && data.user?.email === email, show(error || data))
  ;({ data, error } = await c.auth.verifyOtp({ email: next, token: toNew, type: 'email_change' }))
  check('verifyOtp with the new address\'s code -> session on the new address', !error &&
    data.session?.user?.email === next, show(error || data))
  ;({ data, error } = await c.auth.signInWithPassword({ email: next, password: PASSWORD }))
  check('signInWithPassword with the new address', !error && data.session, show(error))
}

async function resendAndReauthenticate() {
  const c = pkceClient()
  const email = uniqueEmail('resend')
  await c.auth.signUp({ email, password: PASSWORD })
  await mailTo(email)
  let { data, error } = await c.auth.resend({ type: 'signup', email })
  const code = ((await mailTo(email))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  check('resend({type: signup}) -> no error, a new mail with a code', !error && code, show(error || data))
  ;({ data, error } = await c.auth.verifyOtp({ email, token: code, type: 'signup' }))
  check('verifyOtp with the resent code -> session', !error && data.session, show(error || data))
  ;({ error } = await c.auth.resend({ type: 'signup', email: uniqueEmail('nobody') }))
  check('resend for an unknown address -> no error either', !error, show(error))
  ;({ error } = await c.auth.reauthenticate())
  const nonce = ((await mailTo(email))?.body.match(/\n\n(\d{6})\n\n/) || [])[1]
  check('reauthenticate() -> no error, a 6-digit nonce mailed', !error && nonce, show(error))
  ;({ data, error } = await c.auth.updateUser({ password: 'wrong nonce 1', nonce: nonce === '000000' ? '000001' : '000000' }))
  check('updateUser({password, nonce: wrong}) -> AuthApiError 400 reauthentication_not_valid',
    isApiError(error, 400, 'reauthentication_not_valid'), show(error))
  ;({ data, error } = await c.auth.updateUser({ password: 'right nonce 1', nonce }))
  check('updateUser({password, nonce}) -> the user', !error && data.user?.email === email, show(error || data))
}

// ------------------------------------------------------------- OAuth

async function oauthPkce() {
  if (!check('OAUTH_PROVIDER_URL is in .dev/env', Boolean(PROVIDER), '')) return
  const c = pkceClient()
  let { data, error } = await c.auth.signInWithOAuth({ provider: 'google', options: { redirectTo: APP, skipBrowserRedirect: true } })
  const authorize = data?.url ? new URL(data.url) : null
  check('pkce signInWithOAuth -> /authorize URL with code_challenge (s256)', !error && authorize &&
    authorize.searchParams.get('code_challenge') && authorize.searchParams.get('code_challenge_method') === 's256',
    show(error || data))
  let r = await http('GET', authorize.pathname + authorize.search, { client: c })
  const atProvider = r.headers.get('location') || ''
  const sub = `sub-${Date.now()}${Math.floor(Math.random() * 1e6)}`
  const email = uniqueEmail('pkce-oauth')
  const approve = await fetch(`${atProvider}&x_sub=${sub}&x_email=${encodeURIComponent(email)}`, { redirect: 'manual' })
  const callback = new URL(approve.headers.get('location') || 'http://invalid/')
  r = await http('GET', callback.pathname + callback.search, { client: c })
  const location = r.headers.get('location') || ''
  const code = location ? new URL(location).searchParams.get('code') : null
  check('the provider\'s callback -> 302 to redirectTo with ?code=', r.status === 302 &&
    location.startsWith(APP + '?code=') && code && !location.includes('access_token'), location)
  ;({ data, error } = await c.auth.exchangeCodeForSession(code))
  check('exchangeCodeForSession -> session with provider_token, amr oauth', !error &&
    data.session?.provider_token && data.user?.email === email &&
    jwtClaims(data.session.access_token).amr?.[0]?.method === 'oauth', show(error || data))
}

// An ID token as a native SDK gets it: authorize and token at the test
// provider itself (PKCE S256), without pgstack.
async function providerIdToken(nonce, sub, email) {
  const verifier = crypto.randomBytes(32).toString('base64url')
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url')
  const redirect = 'http://127.0.0.1:9/native-app'
  const q = new URLSearchParams({ client_id: 'google-client', redirect_uri: redirect, response_type: 'code',
    scope: 'openid email', state: 'native', code_challenge: challenge, code_challenge_method: 'S256',
    nonce, x_sub: sub, x_email: email })
  const approve = await fetch(`${PROVIDER}/google/authorize?${q}`, { redirect: 'manual' })
  const code = new URL(approve.headers.get('location') || 'http://invalid/').searchParams.get('code') || ''
  const t = await fetch(`${PROVIDER}/google/token`, { method: 'POST', body: new URLSearchParams({
    grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier,
    client_id: 'google-client', client_secret: 'google-secret' }) })
  return (await t.json()).id_token || ''
}

async function signInWithIdToken() {
  if (!check('OAUTH_PROVIDER_URL is in .dev/env', Boolean(PROVIDER), '')) return
  const c = pkceClient()
  const email = uniqueEmail('id-token')
  const sub = `sub-${Date.now()}${Math.floor(Math.random() * 1e6)}`
  const nonce = crypto.randomBytes(16).toString('hex')
  const hashed = crypto.createHash('sha256').update(nonce).digest('hex')
  let { data, error } = await c.auth.signInWithIdToken({ provider: 'google', token: await providerIdToken(hashed, sub, email), nonce })
  check('signInWithIdToken({provider: google, token, nonce}) -> session, SIGNED_IN, amr oauth', !error &&
    data.session && data.user?.email === email && c.events.includes('SIGNED_IN') &&
    jwtClaims(data.session.access_token).amr?.[0]?.method === 'oauth', show(error || data))
  ;({ data, error } = await pkceClient().auth.signInWithIdToken({ provider: 'google',
    token: await providerIdToken(hashed, sub, email), nonce: 'not-the-nonce' }))
  check('signInWithIdToken with another nonce -> AuthApiError 400 bad_id_token', isApiError(error, 400, 'bad_id_token'),
    show(error || data))
}

async function linkAndUnlink() {
  const c = pkceClient()
  const email = uniqueEmail('link')
  await c.auth.signUp({ email, password: PASSWORD })
  const code = ((await mailTo(email))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  await c.auth.verifyOtp({ email, token: code, type: 'signup' })
  const before = (await c.auth.getUser()).data.user
  let { data, error } = await c.auth.linkIdentity({ provider: 'google', options: { redirectTo: APP } })
  check('linkIdentity -> the provider\'s URL (skip_http_redirect)', !error && data.url?.includes('/google'),
    show(error || data))
  const link = new URL(data.url)
  const sub = `link-${Date.now()}${Math.floor(Math.random() * 1e6)}`
  const approve = await fetch(`${link}&x_sub=${sub}&x_email=${encodeURIComponent('g-' + email)}`, { redirect: 'manual' })
  const callback = new URL(approve.headers.get('location') || 'http://invalid/')
  const r = await http('GET', callback.pathname + callback.search, { client: c })
  const location = r.headers.get('location') || ''
  const linkCode = location.startsWith(APP) ? new URL(location).searchParams.get('code') : null
  ;({ data, error } = await c.auth.exchangeCodeForSession(linkCode))
  check('the link callback -> ?code= -> exchangeCodeForSession: the same user, now with a google identity',
    !error && data.user?.id === before?.id && data.user.identities.some((i) => i.provider === 'google'),
    show(error || data) + ' ' + location)
  ;({ data, error } = await c.auth.getUserIdentities())
  const google = data?.identities?.find((i) => i.provider === 'google')
  check('getUserIdentities -> email and google', !error && google && data.identities.length === 2, show(error || data))
  ;({ error } = await c.auth.unlinkIdentity(google))
  ;({ data } = await c.auth.getUserIdentities())
  check('unlinkIdentity(google) -> only the email identity left', !error && data?.identities?.length === 1 &&
    data.identities[0].provider === 'email', show(error || data))
  ;({ error } = await c.auth.unlinkIdentity(data.identities[0]))
  check('unlinkIdentity of the last one -> AuthApiError 422 single_identity_not_deletable',
    isApiError(error, 422, 'single_identity_not_deletable'), show(error))
}

async function inviteAndGenerateLink() {
  const admin = createClient(ENV.PGSTACK_URL, ENV.SERVICE_ROLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws },
    global: { headers: { 'X-Forwarded-For': freshAddress() } },
  })
  const email = uniqueEmail('invite')
  let { data, error } = await admin.auth.admin.inviteUserByEmail(email, { data: { team: 'blue' } })
  check('auth.admin.inviteUserByEmail -> the invited user', !error && data.user?.email === email &&
    data.user.user_metadata?.team === 'blue', show(error || data))
  const code = ((await mailTo(email))?.body.match(/enter this code[^\n]*\n\n(\d{6})\n/) || [])[1]
  const c = pkceClient()
  ;({ data, error } = await c.auth.verifyOtp({ email, token: code, type: 'invite' }))
  check('verifyOtp({type: invite}) with the invitation code -> session', !error && data.session &&
    data.user?.email === email, show(error || data))
  const other = uniqueEmail('generated')
  ;({ data, error } = await admin.auth.admin.generateLink({ type: 'magiclink', email: other }))
  const p = data?.properties
  check('auth.admin.generateLink -> properties (action_link, email_otp, hashed_token, verification_type) and user',
    !error && p?.action_link?.includes('/auth/v1/verify?token=') && /^\d{6}$/.test(p.email_otp || '') &&
    p.hashed_token && p.verification_type === 'magiclink' && data.user?.email === other, show(error || data))
  ;({ data, error } = await c.auth.verifyOtp({ token_hash: p?.hashed_token, type: 'magiclink' }))
  check('verifyOtp({token_hash: hashed_token}) -> session', !error && data.session?.user?.email === other,
    show(error || data))
}

// ---------------------------------------------------------- @supabase/ssr

// The cookies a server framework keeps for one browser across requests.
function cookieJar() {
  const jar = new Map()
  return {
    jar,
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    setAll: (list) => {
      for (const { name, value, options } of list) {
        if (!value || options?.maxAge === 0) jar.delete(name)
        else jar.set(name, value)
      }
    },
  }
}

// One request's server client on the jar, as a route handler creates it.
function serverClient(cookies, address) {
  return createServerClient(ENV.PGSTACK_URL, ENV.ANON_KEY, {
    cookies: { getAll: cookies.getAll, setAll: cookies.setAll },
    global: { headers: { 'X-Forwarded-For': address } },
    realtime: { transport: ws },
  })
}

function sessionCookies(cookies) {
  return [...cookies.jar.keys()].filter((k) => /-auth-token(\.\d+)?$/.test(k))
}

async function ssrServerClient() {
  const cookies = cookieJar()
  const address = freshAddress()
  const email = uniqueEmail('ssr')
  // sign-up confirmed through the PKCE callback route, as an SSR app does it
  let s = serverClient(cookies, address)
  let { data, error } = await s.auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: APP } })
  check('ssr signUp -> no session yet, the verifier in a cookie', !error && !data.session &&
    [...cookies.jar.keys()].some((k) => k.endsWith('-code-verifier')), show(error || data) + show([...cookies.jar.keys()]))
  const { code } = await codeFromMail({ address }, email, '/verify')
  s = serverClient(cookies, address) // the /auth/callback route
  ;({ data, error } = await s.auth.exchangeCodeForSession(code))
  check('ssr callback route: exchangeCodeForSession -> session stored in cookies, verifier cookie gone',
    !error && data.session && sessionCookies(cookies).length > 0 &&
    ![...cookies.jar.keys()].some((k) => k.endsWith('-code-verifier')), show(error || data))

  s = serverClient(cookies, address) // the next request
  ;({ data, error } = await s.auth.getUser())
  check('next request: getUser() from the cookie session', !error && data.user?.email === email, show(error || data))
  const before = (await s.auth.getSession()).data.session
  ;({ data, error } = await s.auth.refreshSession())
  const after = data.session
  s = serverClient(cookies, address)
  const stored = (await s.auth.getSession()).data.session
  check('refreshSession -> new tokens, and the cookies hold them', !error && after &&
    after.refresh_token !== before?.refresh_token && stored?.refresh_token === after.refresh_token,
    show(error || data))

  ;({ error } = await s.auth.signOut())
  check('signOut -> the session cookies are cleared', !error && sessionCookies(cookies).length === 0,
    show(error) + show([...cookies.jar.keys()]))
  s = serverClient(cookies, address)
  ;({ data } = await s.auth.getUser())
  check('after signOut: getUser() has no user', !data.user, show(data))

  // password sign-in straight into cookies
  s = serverClient(cookies, address)
  ;({ data, error } = await s.auth.signInWithPassword({ email, password: PASSWORD }))
  check('ssr signInWithPassword -> session cookies set', !error && data.session &&
    sessionCookies(cookies).length > 0, show(error || data))
  s = serverClient(cookies, address)
  ;({ data } = await s.auth.getUser())
  check('ssr: the next request sees the signed-in user',
    data.user?.email === email, show(data))
}

async function main() {
  console.log(`# supabase-js (flowType pkce) and @supabase/ssr against ${ENV.PGSTACK_URL} (node ${process.version})`)
  markAllMailSeen()
  await section('PKCE: sign-up confirmation', signUpConfirmation)
  await section('PKCE: magic link, wrong verifier, reused code', magicLinkAndRefusals)
  await section('PKCE: password recovery', passwordRecovery)
  await section('PKCE: OAuth sign-in', oauthPkce)
  await section('signInWithIdToken', signInWithIdToken)
  await section('verifyOtp with the 6-digit code', verifyOtpCode)
  await section('resend, reauthenticate', resendAndReauthenticate)
  await section('secure email change (both addresses confirm)', secureEmailChange)
  await section('linkIdentity, unlinkIdentity', linkAndUnlink)
  await section('auth.admin.inviteUserByEmail, generateLink', inviteAndGenerateLink)
  await section('@supabase/ssr createServerClient with a cookie jar', ssrServerClient)
  process.exitCode = summary()
}

main()
