#!/usr/bin/env node
// tests/compat/storage.test.mjs — the official client, @supabase/supabase-js
// (its storage-js; exact version in package-lock.json), against pgstack's
// /storage/v1 on the running dev stack (.dev/env). Each check is a
// supabase.storage call an application makes, judged by what supabase-js
// hands the application (data, error.status, error.message).
//
//   node tests/compat/storage.test.mjs
//
// Creates its own buckets (prefix sc-) with the service_role key, policies
// on storage.objects with psql as the superuser (DATABASE_URL from
// .dev/env), and signs two users up through supabase-js auth for the
// row-level security checks (REQUIRE_EMAIL_VERIFICATION=false, the
// default). Removes its buckets and policies at the end. Prints one line
// per check and ends with "N passed, N failed"; exits 1 when one failed.

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { ENV, check, devSetting, newClient, section, show, summary, uniqueEmail } from './lib.mjs'

const PASSWORD = 'correct horse 1'
const DATABASE_URL = devSetting('DATABASE_URL')
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64')

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', DATABASE_URL], {
    input: sql, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  })
}

const CLEANUP = `
set storage.allow_delete_query = 'true';
delete from storage.objects where bucket_id like 'sc-%';
delete from storage.buckets where id like 'sc-%';
drop policy if exists sc_insert on storage.objects;
drop policy if exists sc_select on storage.objects;
drop policy if exists sc_update on storage.objects;
drop policy if exists sc_delete on storage.objects;
`

// Policies as the Supabase docs teach them: a folder per user.
const POLICIES = `
create policy sc_insert on storage.objects for insert to authenticated
  with check (bucket_id = 'sc-users' and (storage.foldername(name))[1] = auth.uid()::text);
create policy sc_select on storage.objects for select to authenticated
  using (bucket_id = 'sc-users' and owner_id = (select auth.uid()::text));
create policy sc_update on storage.objects for update to authenticated
  using (bucket_id = 'sc-users' and owner_id = (select auth.uid()::text));
create policy sc_delete on storage.objects for delete to authenticated
  using (bucket_id = 'sc-users' and owner_id = (select auth.uid()::text));
`

const admin = newClient(ENV.SERVICE_ROLE_KEY)

async function expectOk(name, promise, test = () => true) {
  const r = await promise
  return check(name, !r.error && test(r.data), show(r.error || r.data))
}

async function expectError(name, promise, status, messageTest = () => true) {
  const r = await promise
  return check(name, r.error && r.error.status === status && messageTest(r.error.message),
    r.error ? `status ${r.error.status}: ${r.error.message}` : 'no error: ' + show(r.data))
}

async function buckets() {
  const s = admin.storage
  await expectOk('createBucket returns data.name', s.createBucket('sc-main', { public: false }),
    (d) => d.name === 'sc-main')
  await expectOk('createBucket with fileSizeLimit "1KB" and allowedMimeTypes', s.createBucket('sc-img',
    { public: true, fileSizeLimit: '1KB', allowedMimeTypes: ['image/*'] }))
  await expectOk('createBucket sc-users', s.createBucket('sc-users'))
  await expectError('createBucket twice: 409', s.createBucket('sc-main'), 409,
    (m) => m === 'The resource already exists')
  await expectOk('getBucket', s.getBucket('sc-img'),
    (d) => d.id === 'sc-img' && d.public === true && d.file_size_limit === 1000 &&
      d.allowed_mime_types[0] === 'image/*')
  await expectOk('listBuckets', s.listBuckets(),
    (d) => ['sc-main', 'sc-img', 'sc-users'].every((id) => d.some((b) => b.id === id)))
  await expectOk('updateBucket', s.updateBucket('sc-img', { public: true, fileSizeLimit: 2000, allowedMimeTypes: ['image/*'] }),
    (d) => typeof d.message === 'string')
  await expectOk('getBucket after update', s.getBucket('sc-img'), (d) => d.file_size_limit === 2000)
  await expectError('getBucket of a missing bucket: 404', s.getBucket('sc-none'), 404)
  await expectOk('createBucket sc-gone', s.createBucket('sc-gone'))
  await admin.storage.from('sc-gone').upload('x.txt', 'x')
  await expectError('deleteBucket of a non-empty bucket: 409', s.deleteBucket('sc-gone'), 409)
  await expectOk('emptyBucket', s.emptyBucket('sc-gone'))
  await expectOk('deleteBucket', s.deleteBucket('sc-gone'), (d) => typeof d.message === 'string')
}

async function files() {
  const f = admin.storage.from('sc-main')
  await expectOk('upload a string: data.path, data.id, data.fullPath', f.upload('docs/readme.txt', 'hello storage'),
    (d) => d.path === 'docs/readme.txt' && d.fullPath === 'sc-main/docs/readme.txt' && d.id)
  await expectError('upload the same path again: 409', f.upload('docs/readme.txt', 'again'), 409,
    (m) => m === 'The resource already exists')
  await expectOk('upload with upsert: true replaces it', f.upload('docs/readme.txt', 'hello again', { upsert: true }))
  let r = await f.download('docs/readme.txt')
  check('download returns a Blob with the bytes', !r.error && (await r.data.text()) === 'hello again', show(r.error))
  const blob = new Blob([PNG], { type: 'image/png' })
  await expectOk('upload a Blob (multipart, field "") with metadata', f.upload('img/dot.png', blob,
    { cacheControl: '60', metadata: { by: 'compat' } }))
  r = await f.download('img/dot.png')
  check('download of the Blob: same bytes and type', !r.error && Buffer.compare(Buffer.from(await r.data.arrayBuffer()), PNG) === 0 &&
    r.data.type === 'image/png', show(r.error))
  await expectOk('info: camelCase fields and user metadata', f.info('img/dot.png'),
    (d) => d.name === 'img/dot.png' && d.size === PNG.length && d.contentType === 'image/png' &&
      d.cacheControl === 'max-age=60' && d.metadata.by === 'compat')
  await expectOk('exists: true', f.exists('img/dot.png'), (d) => d === true)
  r = await f.exists('img/none.png')
  check('exists: false for a missing file', r.data === false, show(r))
  await expectOk('update (PUT)', f.update('docs/readme.txt', 'updated', { contentType: 'text/plain' }))
  r = await f.download('docs/readme.txt')
  check('download after update', !r.error && (await r.data.text()) === 'updated', show(r.error))
  const big = Buffer.alloc(5 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i)
  await expectOk('upload 5 MB', f.upload('big/5mb.bin', big, { contentType: 'application/octet-stream' }))
  r = await f.download('big/5mb.bin')
  const got = r.data ? Buffer.from(await r.data.arrayBuffer()) : Buffer.alloc(0)
  check('download 5 MB identical by hash', createHash('sha256').update(got).digest('hex') ===
    createHash('sha256').update(big).digest('hex'), show(r.error))
  await expectOk('unicode path upload', f.upload('été/résumé ✓.txt', 'u'))
  r = await f.download('été/résumé ✓.txt')
  check('unicode path download', !r.error && (await r.data.text()) === 'u', show(r.error))
}

async function listing() {
  const f = admin.storage.from('sc-main')
  await expectOk('list root: folders as entries with id null', f.list(),
    (d) => ['big', 'docs', 'img', 'été'].every((n) => d.some((e) => e.name === n && e.id === null)))
  await expectOk('list a folder: names relative, metadata', f.list('img'),
    (d) => d.length === 1 && d[0].name === 'dot.png' && d[0].id && d[0].metadata.size === PNG.length &&
      d[0].metadata.mimetype === 'image/png')
  await expectOk('list with search', f.list('', { search: 'do' }),
    (d) => d.length === 1 && d[0].name === 'docs')
  await expectOk('list with limit, offset and sortBy desc', f.list('', { limit: 2, offset: 1, sortBy: { column: 'name', order: 'desc' } }),
    (d) => d.map((e) => e.name).join(',') === 'img,docs')
}

async function moveCopyRemove() {
  const f = admin.storage.from('sc-main')
  await expectOk('copy', f.copy('docs/readme.txt', 'docs/copy.txt'), (d) => d.path === 'sc-main/docs/copy.txt')
  await expectOk('move', f.move('docs/copy.txt', 'moved/copy.txt'))
  let r = await f.download('moved/copy.txt')
  check('the moved copy has the bytes', !r.error && (await r.data.text()) === 'updated', show(r.error))
  r = await f.download('docs/copy.txt')
  check('the old path is gone: 404', r.error && r.error.status === 404, show(r.error))
  await expectOk('remove returns the removed objects', f.remove(['moved/copy.txt', 'nothing.txt']),
    (d) => d.length === 1 && d[0].name === 'moved/copy.txt')
}

async function publicAndSigned() {
  const img = admin.storage.from('sc-img')
  await expectOk('upload a PNG to the image bucket', img.upload('p/dot.png', PNG, { contentType: 'image/png' }))
  await expectError('a 3000-byte PNG over the 2000-byte bucket limit: 413', img.upload('p/big.png',
    Buffer.concat([PNG, Buffer.alloc(3000)]), { contentType: 'image/png' }), 413,
  (m) => m === 'The object exceeded the maximum allowed size')
  await expectError('a script declared image/png: 415', img.upload('p/evil.png', '#!/bin/sh\necho pwned\n',
    { contentType: 'image/png' }), 415, (m) => m.startsWith('mime type'))
  const url = img.getPublicUrl('p/dot.png').data.publicUrl
  let res = await fetch(url)
  check('getPublicUrl: fetch with no credentials', res.status === 200 &&
    Buffer.compare(Buffer.from(await res.arrayBuffer()), PNG) === 0, `status ${res.status}`)
  const f = admin.storage.from('sc-main')
  let r = await f.createSignedUrl('docs/readme.txt', 60)
  check('createSignedUrl: data.signedUrl', !r.error && r.data.signedUrl.startsWith(ENV.PGSTACK_URL + '/storage/v1/object/sign/sc-main/docs/readme.txt?token='), show(r.error || r.data))
  res = r.data ? await fetch(r.data.signedUrl) : null
  check('the signed URL downloads with no credentials', res && res.status === 200 && (await res.text()) === 'updated',
    res ? `status ${res.status}` : 'no url')
  r = await f.createSignedUrl('docs/readme.txt', 60, { download: 'saved.txt' })
  res = r.data ? await fetch(r.data.signedUrl) : null
  check('createSignedUrl with download: attachment filename', res && res.status === 200 &&
    (res.headers.get('content-disposition') || '').includes('saved.txt'), res ? res.headers.get('content-disposition') : '')
  r = await f.createSignedUrls(['docs/readme.txt', 'img/dot.png', 'missing.txt'], 60)
  check('createSignedUrls: per-path results', !r.error && r.data.length === 3 && r.data[0].signedUrl &&
    r.data[1].signedUrl && r.data[2].error && !r.data[2].signedUrl, show(r.error || r.data))
  await expectError('createSignedUrl of a missing file: 404', f.createSignedUrl('missing.txt', 60), 404)
}

async function signUp(label) {
  const c = newClient()
  const { data, error } = await c.auth.signUp({ email: uniqueEmail(label), password: PASSWORD })
  if (error || !data.session) throw new Error(`signUp ${label}: ${show(error || data)} (REQUIRE_EMAIL_VERIFICATION must be false)`)
  return { client: c, id: data.user.id }
}

async function rls() {
  const a = await signUp('storage-a')
  const b = await signUp('storage-b')
  const anon = newClient()
  const fa = a.client.storage.from('sc-users')
  const fb = b.client.storage.from('sc-users')
  await expectOk('user A uploads into its own folder', fa.upload(`${a.id}/note.txt`, 'from A'))
  await expectError("user A uploads into B's folder: 403", fa.upload(`${b.id}/note.txt`, 'from A'), 403)
  await expectError('anon uploads: 403', anon.storage.from('sc-users').upload(`${a.id}/anon.txt`, 'x'), 403)
  let r = await fb.download(`${a.id}/note.txt`)
  check("user B cannot download A's file: 404", r.error && r.error.status === 404, show(r.error))
  await expectOk("user B lists A's folder: nothing", fb.list(a.id), (d) => d.length === 0)
  await expectOk('user A lists its folder', fa.list(a.id), (d) => d.length === 1 && d[0].name === 'note.txt')
  await expectOk('user A upserts its file (SELECT + UPDATE policies)', fa.upload(`${a.id}/note.txt`, 'A again', { upsert: true }))
  r = await fb.createSignedUrl(`${a.id}/note.txt`, 60)
  check("user B cannot sign A's file", r.error && r.error.status === 404, show(r.error || r.data))
  r = await fa.createSignedUploadUrl(`${a.id}/signed.txt`)
  check('createSignedUploadUrl: signedUrl, token, path', !r.error && r.data.token && r.data.path === `${a.id}/signed.txt`,
    show(r.error || r.data))
  if (r.data) {
    const up = await anon.storage.from('sc-users').uploadToSignedUrl(`${a.id}/signed.txt`, r.data.token, 'via token')
    check('uploadToSignedUrl with the anon client', !up.error && up.data.fullPath === `sc-users/${a.id}/signed.txt`,
      show(up.error || up.data))
    const dl = await fa.download(`${a.id}/signed.txt`)
    check('the signed upload belongs to A (A downloads it)', !dl.error && (await dl.data.text()) === 'via token', show(dl.error))
  }
  await expectError("createSignedUploadUrl into B's folder: 403", fa.createSignedUploadUrl(`${b.id}/x.txt`), 403)
  await expectOk("user B's remove of A's file removes nothing", fb.remove([`${a.id}/note.txt`]), (d) => d.length === 0)
  await expectOk('user A removes its files', fa.remove([`${a.id}/note.txt`, `${a.id}/signed.txt`]), (d) => d.length === 2)
}

psql(CLEANUP + POLICIES)
try {
  await section('buckets', buckets)
  await section('files', files)
  await section('listing', listing)
  await section('move, copy, remove', moveCopyRemove)
  await section('public and signed URLs, limits, MIME', publicAndSigned)
  await section('row-level security', rls)
} finally {
  psql(CLEANUP)
}
process.exit(summary())
