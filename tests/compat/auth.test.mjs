#!/usr/bin/env node
// tests/compat/auth.test.mjs — the official client, @supabase/supabase-js
// (exact version in package-lock.json), against pgstack's /auth/v1 on the
// running dev stack (.dev/env). Each check is a supabase-js call an
// application makes, judged by what supabase-js hands the application:
// data, session, user, and the AuthError subclass with status, code and
// message (the spec's messages, GoTrue's codes).
//
//   node tests/compat/auth.test.mjs                       REQUIRE_EMAIL_VERIFICATION=false,
//                                                         ALLOW_ANONYMOUS_SIGNIN=true
//   node tests/compat/auth.test.mjs --email-confirmation  REQUIRE_EMAIL_VERIFICATION=true,
//                                                         ALLOW_ANONYMOUS_SIGNIN=false
//
// The stack must run with the settings named (tests/integration/
// compat_auth_test.py restarts the workers with them). Prints one line per
// check and ends with "N passed, N failed"; exits 1 when a check failed.

import { createHmac } from 'node:crypto'
import {
  ENV, authSettings, check, http, isApiError, jwtClaims, mailTo, mailedToken, markAllMailSeen,
  newClient, section, show, summary, uniqueEmail,
} from './lib.mjs'

const PASSWORD = 'correct horse 1'

// ------------------------------------------------------------ preconditions

async function settingsAre(want) {
  const s = await authSettings()
  const ok = s !== null && Object.entries(want).every(([k, v]) => s[k] === v)
  check(`GET /auth/v1/settings shows ${JSON.stringify(want)}`, ok, show(s))
  return ok
}

// ------------------------------------------------------- sign-up, sign-in

async function signUpAndSignIn() {
  const c = newClient()
  const email = uniqueEmail('signup')
  let { data, error } = await c.auth.signUp({ email, password: PASSWORD, options: { data: { full_name: 'Jane' } } })
  const s = data.session
  check('signUp -> session (access_token, refresh_token, bearer, expires_in/at)', !error && s &&
    s.access_token && s.refresh_token && s.token_type === 'bearer' && s.expires_in === 3600 &&
    Number.isInteger(s.expires_at) && Math.abs(s.expires_at - Date.now() / 1000 - 3600) < 120,
    show(error || data))
  const u = data.user
  check('signUp -> user (id, email, role, aud, user_metadata, email identity)', u && u.id &&
    u.email === email && u.role === 'authenticated' && u.aud === 'authenticated' &&
    u.user_metadata.full_name === 'Jane' && u.app_metadata.provider === 'email' &&
    Array.isArray(u.identities) && u.identities.some((i) => i.provider === 'email'), show(u))
  check('signUp fires SIGNED_IN', c.events.includes('SIGNED_IN'), show(c.events))
  const claims = s ? jwtClaims(s.access_token) : {}
  check('access token claims: sub, role, aud, email, session_id, is_anonymous false',
    claims.sub === u?.id && claims.role === 'authenticated' && claims.aud === 'authenticated' &&
    claims.email === email && typeof claims.session_id === 'string' && claims.is_anonymous === false,
    show(claims))

  ;({ data, error } = await newClient().auth.signUp({ email: email.toUpperCase(), password: PASSWORD }))
  check('signUp with a registered email -> AuthApiError 409 email_exists "email already registered"',
    isApiError(error, 409, 'email_exists', 'email already registered') && !data.user, show(error))
  ;({ error } = await c.auth.signUp({ email: 'not-an-email', password: PASSWORD }))
  check('signUp with a bad email -> AuthApiError 400 "invalid email address"',
    isApiError(error, 400, 'validation_failed', 'invalid email address'), show(error))
  ;({ error } = await c.auth.signUp({ email: uniqueEmail('weak'), password: 'short' }))
  check('signUp with a short password -> AuthWeakPasswordError 400 "password must be at least 8 characters", reasons [length]',
    error && error.name === 'AuthWeakPasswordError' && error.status === 400 &&
    error.code === 'weak_password' && error.message === 'password must be at least 8 characters' &&
    JSON.stringify(error.reasons) === '["length"]', show(error) + ' reasons ' + show(error?.reasons))

  const other = newClient()
  ;({ data, error } = await other.auth.signInWithPassword({ email, password: 'wrong password' }))
  check('signInWithPassword, wrong password -> AuthApiError 401 invalid_credentials "invalid email or password"',
    isApiError(error, 401, 'invalid_credentials', 'invalid email or password') && !data.session, show(error))
  const wrong = error
  ;({ error } = await other.auth.signInWithPassword({ email: uniqueEmail('nobody'), password: PASSWORD }))
  check('signInWithPassword, unknown email -> the same error',
    isApiError(error, 401, 'invalid_credentials', wrong?.message), show(error))
  ;({ data, error } = await other.auth.signInWithPassword({ email, password: PASSWORD }))
  check('signInWithPassword -> session and user', !error && data.session?.access_token &&
    data.user?.id === u?.id && data.session.user?.id === u?.id, show(error || data))
  return { email, user: u, client: other }
}

// -------------------------------------------------------- the signed-in user

async function userAndSession({ email, user, client: c }) {
  let { data, error } = await c.auth.getUser()
  check('getUser() -> the signed-in user', !error && data.user?.id === user.id && data.user.email === email,
    show(error || data))
  const { data: sess } = await c.auth.getSession()
  ;({ data, error } = await newClient().auth.getUser(sess.session?.access_token))
  check('getUser(jwt) on another client -> the same user', !error && data.user?.id === user.id, show(error || data))
  const claims = await c.auth.getClaims()
  check('getClaims() -> the claims of the session (checked by the server)', !claims.error &&
    claims.data?.claims?.sub === user.id && claims.data.claims.email === email, show(claims.error || claims.data))
  ;({ data, error } = await newClient().auth.getUser('not.a.jwt'))
  check('getUser(garbage) -> AuthApiError 401', error?.name === 'AuthApiError' && error.status === 401, show(error))

  ;({ data, error } = await c.auth.updateUser({ data: { plan: 'pro' } }))
  check('updateUser({data}) merges user_metadata', !error &&
    data.user?.user_metadata?.full_name === 'Jane' && data.user.user_metadata.plan === 'pro', show(error || data))
  check('updateUser fires USER_UPDATED', c.events.includes('USER_UPDATED'), show(c.events))
  ;({ data, error } = await c.auth.updateUser({ password: 'x' }))
  check('updateUser({password: short}) -> AuthWeakPasswordError 400',
    error?.name === 'AuthWeakPasswordError' && error.status === 400, show(error))
  const newPassword = 'battery staple 2'
  ;({ data, error } = await c.auth.updateUser({ password: newPassword }))
  check('updateUser({password}) -> 200 user', !error && data.user?.id === user.id, show(error || data))
  let r = await newClient().auth.signInWithPassword({ email, password: newPassword })
  check('signInWithPassword with the new password', !r.error && r.data.session, show(r.error))
  r = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('the old password no longer signs in', isApiError(r.error, 401, 'invalid_credentials'), show(r.error))

  const before = (await c.auth.getSession()).data.session
  ;({ data, error } = await c.auth.refreshSession())
  check('refreshSession() -> new access and refresh token, same user', !error &&
    data.session?.access_token && data.session.refresh_token !== before.refresh_token &&
    data.user?.id === user.id, show(error || data))
  check('refreshSession fires TOKEN_REFRESHED', c.events.includes('TOKEN_REFRESHED'), show(c.events))
  ;({ data, error } = await c.auth.getUser())
  check('getUser() with the refreshed access token', !error && data.user?.id === user.id, show(error))
  ;({ data, error } = await newClient().auth.refreshSession({ refresh_token: 'no-such-token' }))
  check('refreshSession with an unknown token -> AuthApiError 401 refresh_token_not_found "invalid refresh token"',
    isApiError(error, 401, 'refresh_token_not_found', 'invalid refresh token') && !data.session, show(error))

  // setSession: how an application takes over tokens it got elsewhere
  const other = newClient()
  const current = (await c.auth.getSession()).data.session
  ;({ data, error } = await other.auth.setSession({ access_token: current.access_token, refresh_token: current.refresh_token }))
  check('setSession({access_token, refresh_token}) -> session of that user', !error &&
    data.session?.user?.id === user.id, show(error || data))
  return { email, password: newPassword }
}

// ---------------------------------------------------------------- sign-out

async function signOutScopes({ email, password }) {
  const tabs = []
  for (let i = 0; i < 3; i++) {
    const c = newClient()
    const { error } = await c.auth.signInWithPassword({ email, password })
    if (error) throw new Error('sign-in for the sign-out checks failed: ' + show(error))
    tabs.push({ client: c, session: (await c.auth.getSession()).data.session })
  }
  let { error } = await tabs[0].client.auth.signOut({ scope: 'local' })
  check("signOut({scope: 'local'}) -> no error, no session, SIGNED_OUT", !error &&
    (await tabs[0].client.auth.getSession()).data.session === null &&
    tabs[0].client.events.includes('SIGNED_OUT'), show(error))
  let r = await newClient().auth.refreshSession({ refresh_token: tabs[0].session.refresh_token })
  check('the signed-out session no longer refreshes', isApiError(r.error, 401, 'refresh_token_not_found'), show(r.error))
  r = await tabs[1].client.auth.refreshSession()
  check('another session of the user still refreshes', !r.error && r.data.session, show(r.error))
  ;({ error } = await tabs[1].client.auth.signOut({ scope: 'others' }))
  check("signOut({scope: 'others'}) keeps the own session", !error &&
    (await tabs[1].client.auth.getSession()).data.session !== null, show(error))
  r = await newClient().auth.refreshSession({ refresh_token: tabs[2].session.refresh_token })
  check("...and ends the others", isApiError(r.error, 401, 'refresh_token_not_found'), show(r.error))
  ;({ error } = await tabs[1].client.auth.signOut())
  check('signOut() (global) -> no error, no session', !error &&
    (await tabs[1].client.auth.getSession()).data.session === null, show(error))
  r = await newClient().auth.getUser(tabs[1].session.access_token)
  check('getUser(access token of a signed-out session) -> AuthSessionMissingError (session_not_found)',
    r.error?.name === 'AuthSessionMissingError' && r.data.user === null, show(r.error || r.data))
  const last = (await tabs[1].client.auth.getSession()).data.session
  check('after signOut getUser() has no session -> AuthSessionMissingError',
    last === null && (await tabs[1].client.auth.getUser()).error?.name === 'AuthSessionMissingError')
}

// ------------------------------------------------ passwordless and recovery

async function otpFlows() {
  const c = newClient()
  const email = uniqueEmail('otp')
  let { data, error } = await c.auth.signInWithOtp({ email, options: { data: { via: 'otp' } } })
  check('signInWithOtp({email}) -> no error, no session yet', !error && data.session === null, show(error))
  const mailed = await mailedToken(email, '/magiclink/verify')
  check('a sign-in mail with a /magiclink/verify link arrived', mailed && mailed.token, show(mailed))
  ;({ data, error } = await c.auth.verifyOtp({ email, token: mailed?.token || '', type: 'email' }))
  check("verifyOtp({email, token, type: 'email'}) -> session of a new, confirmed user", !error &&
    data.session?.access_token && data.user?.email === email && data.user.email_confirmed_at &&
    data.user.user_metadata?.via === 'otp', show(error || data))
  check('verifyOtp fires SIGNED_IN', c.events.includes('SIGNED_IN'), show(c.events))
  ;({ data, error } = await c.auth.getUser())
  check('getUser() after verifyOtp', !error && data.user?.email === email, show(error))
  ;({ data, error } = await newClient().auth.verifyOtp({ email, token: mailed?.token || '', type: 'email' }))
  check('the same token again -> AuthApiError 400 otp_expired "invalid or expired token"',
    isApiError(error, 400, 'otp_expired', 'invalid or expired token') && !data.session, show(error))

  const d = newClient()
  ;({ error } = await d.auth.signInWithOtp({ email, options: { shouldCreateUser: false } }))
  const again = await mailedToken(email, '/magiclink/verify')
  ;({ data, error } = await d.auth.verifyOtp({ token_hash: again?.token || '', type: 'magiclink' }))
  check("signInWithOtp(shouldCreateUser: false) + verifyOtp({token_hash, type: 'magiclink'}) -> session",
    !error && data.session && data.user?.email === email, show(error || data))
  ;({ data, error } = await d.auth.signInWithOtp({ email: uniqueEmail('nobody'), options: { shouldCreateUser: false } }))
  check('signInWithOtp(shouldCreateUser: false) for an unknown email -> AuthApiError 422 otp_disabled',
    isApiError(error, 422, 'otp_disabled'), show(error))

  // the link itself, opened in a browser: tokens in the fragment of the
  // redirect, which the application hands to setSession
  const b = newClient()
  await b.auth.signInWithOtp({ email })
  const link = await mailedToken(email, '/magiclink/verify')
  const r = await http('GET', link.link.pathname + link.link.search, { client: b, headers: { Accept: 'text/html' } })
  const fragment = new URLSearchParams((r.headers.get('location') || '').split('#')[1] || '')
  check('the magic link -> 302 with access_token and refresh_token in the fragment', r.status === 302 &&
    fragment.get('access_token') && fragment.get('refresh_token'), `${r.status} ${r.headers.get('location')}`)
  ;({ data, error } = await b.auth.setSession({ access_token: fragment.get('access_token') || '',
    refresh_token: fragment.get('refresh_token') || '' }))
  check('setSession with the tokens from the fragment -> the user', !error && data.user?.email === email,
    show(error || data))
}

async function passwordRecovery() {
  const c = newClient()
  const email = uniqueEmail('recover')
  await c.auth.signUp({ email, password: PASSWORD })
  const r = newClient()
  let { data, error } = await r.auth.resetPasswordForEmail(email, { redirectTo: 'http://127.0.0.1:3000/reset' })
  check('resetPasswordForEmail -> no error, the spec message', !error &&
    data?.message === 'If this email exists, a reset link has been sent', show(error || data))
  ;({ data, error } = await r.auth.resetPasswordForEmail(uniqueEmail('nobody')))
  check('resetPasswordForEmail for an unknown email answers the same', !error &&
    data?.message === 'If this email exists, a reset link has been sent', show(error || data))
  const mailed = await mailedToken(email, '/verify')
  check('a recovery mail with a /verify?type=recovery link arrived', mailed?.type === 'recovery', show(mailed))
  ;({ data, error } = await r.auth.verifyOtp({ email, token: mailed?.token || '', type: 'recovery' }))
  check("verifyOtp({email, token, type: 'recovery'}) -> session, PASSWORD_RECOVERY", !error &&
    data.session && data.user?.email === email && r.events.includes('PASSWORD_RECOVERY'), show(error || data))
  const newPassword = 'recovered pass 3'
  ;({ data, error } = await r.auth.updateUser({ password: newPassword }))
  check('updateUser({password}) in the recovery session', !error && data.user?.email === email, show(error))
  let s = await newClient().auth.signInWithPassword({ email, password: newPassword })
  check('signInWithPassword with the recovered password', !s.error && s.data.session, show(s.error))
  s = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('the forgotten password no longer signs in', isApiError(s.error, 401, 'invalid_credentials'), show(s.error))
}

// -------------------------------------------------------------- anonymous

async function anonymous() {
  const c = newClient()
  let { data, error } = await c.auth.signInAnonymously({ options: { data: { theme: 'dark' } } })
  check('signInAnonymously -> session of an anonymous user', !error && data.session?.access_token &&
    data.user?.is_anonymous === true && data.user.email === '' &&
    data.user.app_metadata?.provider === 'anonymous' && data.user.user_metadata?.theme === 'dark',
    show(error || data))
  const claims = data.session ? jwtClaims(data.session.access_token) : {}
  check('anonymous access token: role authenticated, is_anonymous true',
    claims.role === 'authenticated' && claims.is_anonymous === true && claims.sub === data.user?.id, show(claims))
  ;({ data, error } = await c.auth.getUser())
  check('getUser() of the anonymous user', !error && data.user?.is_anonymous === true, show(error))
  ;({ data, error } = await c.auth.refreshSession())
  check('refreshSession() of the anonymous user', !error && data.session?.access_token, show(error))
}

// ------------------------------------------------------------------ admin

async function admin() {
  const a = newClient(ENV.SERVICE_ROLE_KEY)
  const email = uniqueEmail('admin')
  let { data, error } = await a.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true,
    user_metadata: { team: 'blue' } })
  const id = data.user?.id
  check('admin.createUser -> user, confirmed', !error && id && data.user.email === email &&
    data.user.email_confirmed_at && data.user.role === 'authenticated', show(error || data))
  let s = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('the created user signs in', !s.error && s.data.user?.id === id, show(s.error))
  ;({ data, error } = await a.auth.admin.createUser({ email, password: PASSWORD }))
  check('admin.createUser with a registered email -> AuthApiError 409 email_exists',
    isApiError(error, 409, 'email_exists'), show(error))
  const second = await a.auth.admin.createUser({ email: uniqueEmail('admin2'), email_confirm: true })
  check('admin.createUser without a password', !second.error && second.data.user?.id, show(second.error))

  ;({ data, error } = await a.auth.admin.listUsers())
  check('admin.listUsers() -> {users: [...]}, the first 50', !error && Array.isArray(data.users) &&
    data.users.length >= 2 && data.users.length <= 50 && data.users.every((u) => u.id && u.aud),
    show(error || data))
  ;({ data, error } = await a.auth.admin.listUsers({ page: 1, perPage: 1 }))
  // (supabase-js reads only the first digit of the page numbers in the Link
  // header — GoTrue's header gives it the same — so lastPage is checked on
  // the header itself)
  check('admin.listUsers({page: 1, perPage: 1}) -> one user, total, nextPage 2', !error &&
    data.users?.length === 1 && data.total >= 2 && data.nextPage === 2,
    show(error || { n: data.users?.length, total: data.total, nextPage: data.nextPage, lastPage: data.lastPage }))
  const raw = await http('GET', '/auth/v1/admin/users?page=1&per_page=1', { client: a,
    headers: { Authorization: `Bearer ${ENV.SERVICE_ROLE_KEY}` } })
  const last = (raw.headers.get('link') || '').match(/[?&]page=(\d+)[^>]*>; rel="last"/)
  check('Link header: rel="last" is the page of the last user', last && Number(last[1]) ===
    Number(raw.headers.get('x-total-count')), `${raw.headers.get('link')} / ${raw.headers.get('x-total-count')}`)
  // users come oldest first: the new one is on the last page of 100 (or the one before)
  const lastPage = Math.ceil((data.total || 1) / 100)
  const newest = []
  for (const page of [lastPage, lastPage - 1].filter((p) => p >= 1)) {
    const r = await a.auth.admin.listUsers({ page, perPage: 100 })
    newest.push(...(r.data.users || []))
  }
  check('admin.listUsers({page, perPage}) finds the created user on the last page', newest.some((u) => u.id === id &&
    u.user_metadata?.team === 'blue'), `${newest.length} users on pages ${lastPage - 1}-${lastPage}`)
  ;({ data, error } = await a.auth.admin.getUserById(id))
  check('admin.getUserById', !error && data.user?.email === email, show(error || data))
  ;({ data, error } = await a.auth.admin.updateUserById(id, { ban_duration: '1h' }))
  check("admin.updateUserById(ban_duration: '1h') -> banned_until set", !error && data.user?.banned_until,
    show(error || data))
  s = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('a banned user cannot sign in -> AuthApiError 400 user_banned', isApiError(s.error, 400, 'user_banned'),
    show(s.error))

  ;({ data, error } = await a.auth.admin.deleteUser(id))
  check('admin.deleteUser -> no error', !error, show(error))
  ;({ data, error } = await a.auth.admin.getUserById(id))
  check('admin.getUserById of the deleted user -> AuthApiError 404 user_not_found',
    isApiError(error, 404, 'user_not_found'), show(error))
  ;({ error } = await a.auth.admin.deleteUser(id))
  check('admin.deleteUser again -> AuthApiError 404 "user not found"',
    isApiError(error, 404, 'user_not_found', 'user not found'), show(error))
  await a.auth.admin.deleteUser(second.data.user?.id)

  const anon = newClient()
  ;({ data, error } = await anon.auth.admin.listUsers())
  check('admin.listUsers with the anon key -> AuthApiError 403 not_admin', isApiError(error, 403, 'not_admin'),
    show(error))
}

// ----------------------------------------- sign-up with email confirmation

async function emailConfirmation() {
  const anon = await newClient().auth.signInAnonymously()
  check('signInAnonymously with anonymous sign-in off -> AuthApiError 422 anonymous_provider_disabled',
    isApiError(anon.error, 422, 'anonymous_provider_disabled') && !anon.data.session, show(anon.error))

  const c = newClient()
  const email = uniqueEmail('confirm')
  let { data, error } = await c.auth.signUp({ email, password: PASSWORD, options: { data: { n: 1 } } })
  check('signUp with confirmation on -> user, no session', !error && data.session === null &&
    data.user?.email === email && !data.user.email_confirmed_at && data.user.user_metadata?.n === 1,
    show(error || data))
  const mailed = await mailedToken(email, '/verify')
  check('a confirmation mail with a /verify?type=signup link arrived', mailed?.type === 'signup', show(mailed))
  let s = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('signInWithPassword before confirming -> AuthApiError 400 email_not_confirmed "email not confirmed"',
    isApiError(s.error, 400, 'email_not_confirmed', 'email not confirmed'), show(s.error))
  ;({ data, error } = await c.auth.verifyOtp({ email, token: mailed?.token || '', type: 'signup' }))
  check("verifyOtp({email, token, type: 'signup'}) -> session, email confirmed", !error &&
    data.session?.access_token && data.user?.email_confirmed_at, show(error || data))
  s = await newClient().auth.signInWithPassword({ email, password: PASSWORD })
  check('signInWithPassword after confirming', !s.error && s.data.session, show(s.error))

  const changed = uniqueEmail('changed')
  ;({ data, error } = await c.auth.updateUser({ email: changed }))
  check('updateUser({email}) -> new_email pending, email unchanged', !error &&
    data.user?.new_email === changed && data.user.email === email, show(error || data))
  const change = await mailedToken(changed, '/verify')
  check('an email-change mail to the new address arrived', change?.type === 'email_change', show(change))
  ;({ data, error } = await c.auth.verifyOtp({ email: changed, token: change?.token || '', type: 'email_change' }))
  check("verifyOtp({email, token, type: 'email_change'}) -> the user with the new email", !error &&
    data.user?.email === changed, show(error || data))
  s = await newClient().auth.signInWithPassword({ email: changed, password: PASSWORD })
  check('signInWithPassword with the new email', !s.error && s.data.session, show(s.error))

  const again = await newClient().auth.signUp({ email: changed, password: PASSWORD })
  check('signUp with a registered email -> AuthApiError 409, no mail', isApiError(again.error, 409, 'email_exists') &&
    (await mailTo(changed, 500)) === null, show(again.error))
}

// -------------------------------------------------------------------- main

// RFC 6238 code of a base32 secret (what an authenticator app shows).
function totpCode(secret, step = Math.floor(Date.now() / 30000)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', key).update(counter).digest()
  const off = mac[mac.length - 1] & 0x0f
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0')
}

async function mfa() {
  const c = newClient()
  const email = uniqueEmail('mfa')
  await c.auth.signUp({ email, password: PASSWORD })
  let { data, error } = await c.auth.mfa.getAuthenticatorAssuranceLevel()
  check('getAuthenticatorAssuranceLevel before MFA -> aal1, next aal1', !error && data.currentLevel === 'aal1' &&
    data.nextLevel === 'aal1', show(error || data))
  ;({ data, error } = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone', issuer: 'pgstack' }))
  const factor = data
  check('mfa.enroll -> id, totp.secret, totp.uri, qr_code as an SVG data URL', !error && factor?.id &&
    factor.totp?.secret && factor.totp.uri.startsWith('otpauth://totp/') &&
    factor.totp.qr_code.startsWith('data:image/svg+xml;utf-8,<svg'), show(error || data))
  ;({ data, error } = await c.auth.mfa.challenge({ factorId: factor?.id }))
  const challenge = data
  check('mfa.challenge -> id, expires_at', !error && challenge?.id && challenge.expires_at > Date.now() / 1000,
    show(error || data))
  ;({ data, error } = await c.auth.mfa.verify({ factorId: factor?.id, challengeId: challenge?.id, code: '000000' === totpCode(factor.totp.secret) ? '000001' : '000000' }))
  check('mfa.verify with a wrong code -> AuthApiError 422 mfa_verification_failed',
    isApiError(error, 422, 'mfa_verification_failed'), show(error))
  const code = totpCode(factor.totp.secret)
  ;({ data, error } = await c.auth.mfa.verify({ factorId: factor?.id, challengeId: challenge?.id, code }))
  check('mfa.verify with the TOTP of the secret -> session at aal2, MFA_CHALLENGE_VERIFIED', !error &&
    jwtClaims(data.access_token).aal === 'aal2' && c.events.includes('MFA_CHALLENGE_VERIFIED'), show(error || data))
  ;({ data, error } = await c.auth.mfa.getAuthenticatorAssuranceLevel())
  check('getAuthenticatorAssuranceLevel -> aal2, amr totp', !error && data.currentLevel === 'aal2' &&
    data.nextLevel === 'aal2' && data.currentAuthenticationMethods.some((m) => m.method === 'totp'), show(error || data))
  ;({ data, error } = await c.auth.mfa.challengeAndVerify({ factorId: factor?.id, code }))
  check('the same code again (challengeAndVerify) -> refused', isApiError(error, 422, 'mfa_verification_failed'), show(error || data))
  ;({ data, error } = await c.auth.mfa.listFactors())
  check('mfa.listFactors -> the verified totp factor', !error && data.totp?.length === 1 &&
    data.totp[0].id === factor?.id && data.totp[0].status === 'verified', show(error || data))
  const other = newClient()
  await other.auth.signInWithPassword({ email, password: PASSWORD })
  ;({ data, error } = await other.auth.mfa.getAuthenticatorAssuranceLevel())
  check('a new password sign-in -> aal1, next aal2', !error && data.currentLevel === 'aal1' && data.nextLevel === 'aal2',
    show(error || data))
  ;({ error } = await other.auth.mfa.unenroll({ factorId: factor?.id }))
  check('mfa.unenroll at aal1 -> AuthApiError 403 insufficient_aal', isApiError(error, 403, 'insufficient_aal'), show(error))
  ;({ data, error } = await c.auth.mfa.unenroll({ factorId: factor?.id }))
  check('mfa.unenroll at aal2 -> the id', !error && data?.id === factor?.id, show(error || data))
}

async function main() {
  markAllMailSeen()
  console.log(`# supabase-js against ${ENV.PGSTACK_URL} (node ${process.version})`)
  if (process.argv.includes('--email-confirmation')) {
    if (await settingsAre({ mailer_autoconfirm: false, anonymous_users: false })) {
      await section('sign-up with email confirmation, anonymous sign-in off', emailConfirmation)
    }
    return summary()
  }
  if (await settingsAre({ mailer_autoconfirm: true, anonymous_users: true })) {
    let state
    await section('signUp, signInWithPassword', async () => { state = await signUpAndSignIn() })
    let signedIn
    if (state) await section('getUser, updateUser, refreshSession, setSession', async () => { signedIn = await userAndSession(state) })
    if (signedIn) await section('signOut scopes', () => signOutScopes(signedIn))
    await section('signInWithOtp, verifyOtp, magic link', otpFlows)
    await section('resetPasswordForEmail', passwordRecovery)
    await section('signInAnonymously', anonymous)
    await section('auth.admin', admin)
    await section('auth.mfa (TOTP)', mfa)
  }
  return summary()
}

process.exitCode = await main()
