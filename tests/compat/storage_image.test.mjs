#!/usr/bin/env node
// tests/compat/storage_image.test.mjs — image transforms through the
// official client, @supabase/supabase-js (storage-js), against pgstack's
// /storage/v1/render/image on the running dev stack (.dev/env):
// download(path, {transform}), getPublicUrl(path, {transform}) fetched
// with no credentials, createSignedUrl(path, n, {transform}) fetched with no
// credentials; row-level security for a second user and anon. The PNG is
// written here (node:zlib) and every result is decoded (PNG inflated and
// sized, WebP header) to check its dimensions.
//
//   node tests/compat/storage_image.test.mjs
//
// Creates its own buckets (prefix si-) and policies (psql as the superuser),
// signs two users up (REQUIRE_EMAIL_VERIFICATION=false), removes them at
// the end. Prints one line per check and ends with "N passed, N failed".

import { execFileSync } from 'node:child_process'
import { deflateSync, inflateSync } from 'node:zlib'
import { ENV, check, devSetting, newClient, section, show, summary, uniqueEmail } from './lib.mjs'

const DATABASE_URL = devSetting('DATABASE_URL')

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', DATABASE_URL], {
    input: sql, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
  })
}

const CLEANUP = `
set storage.allow_delete_query = 'true';
delete from storage.objects where bucket_id like 'si-%';
delete from storage.buckets where id like 'si-%';
drop policy if exists si_insert on storage.objects;
drop policy if exists si_select on storage.objects;
`
const POLICIES = `
create policy si_insert on storage.objects for insert to authenticated
  with check (bucket_id = 'si-users' and (storage.foldername(name))[1] = auth.uid()::text);
create policy si_select on storage.objects for select to authenticated
  using (bucket_id = 'si-users' and owner_id = (select auth.uid()::text));
`

// CRC-32 of PNG chunks (node:zlib has crc32 only from Node 20.15).
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body) >>> 0)
  return Buffer.concat([len, body, crc])
}

// A w x h RGB gradient as PNG.
function png(w, h) {
  const rows = []
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + 3 * w)
    for (let x = 0; x < w; x++) row.set([(x * 255 / (w - 1)) | 0, (y * 255 / (h - 1)) | 0, (x ^ y) & 255], 1 + 3 * x)
    rows.push(row)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

// "png WxH" / "webp WxH" of an encoded image, decoding the PNG's pixel data.
function dims(buf) {
  if (buf.subarray(1, 4).toString('latin1') === 'PNG') {
    const w = buf.readUInt32BE(16), h = buf.readUInt32BE(20), colour = buf[25]
    const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colour]
    const idat = []
    for (let p = 8; p < buf.length;) {
      const n = buf.readUInt32BE(p)
      if (buf.subarray(p + 4, p + 8).toString('latin1') === 'IDAT') idat.push(buf.subarray(p + 8, p + 8 + n))
      p += 12 + n
    }
    const pixels = inflateSync(Buffer.concat(idat))
    return pixels.length === h * (1 + w * channels) ? `png ${w}x${h}` : 'png with wrong pixel data'
  }
  if (buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WEBP') {
    const kind = buf.subarray(12, 16).toString('latin1')
    if (kind === 'VP8 ') return `webp ${buf.readUInt16LE(26) & 0x3fff}x${buf.readUInt16LE(28) & 0x3fff}`
    if (kind === 'VP8L') {
      const b = buf.readUInt32LE(21)
      return `webp ${(b & 0x3fff) + 1}x${((b >> 14) & 0x3fff) + 1}`
    }
    if (kind === 'VP8X') return `webp ${buf.readUIntLE(24, 3) + 1}x${buf.readUIntLE(27, 3) + 1}`
  }
  return 'not an image: ' + buf.subarray(0, 12).toString('hex')
}

async function blobDims(blob) {
  return blob ? dims(Buffer.from(await blob.arrayBuffer())) : 'no data'
}

async function fetchDims(url) {
  const r = await fetch(url)
  return { status: r.status, type: r.headers.get('content-type'), dims: dims(Buffer.from(await r.arrayBuffer())) }
}

const admin = newClient(ENV.SERVICE_ROLE_KEY)
const IMAGE = png(300, 200)

async function signUp(label) {
  const c = newClient()
  const { data, error } = await c.auth.signUp({ email: uniqueEmail(label), password: 'correct horse 1' })
  if (error || !data.session) throw new Error(`signUp ${label}: ${show(error || data)}`)
  return { client: c, id: data.user.id }
}

async function publicImages() {
  await admin.storage.createBucket('si-pub', { public: true })
  let r = await admin.storage.from('si-pub').upload('cat.png', IMAGE, { contentType: 'image/png' })
  check('upload a PNG into a public bucket', !r.error, show(r.error))
  const f = newClient().storage.from('si-pub')
  let url = f.getPublicUrl('cat.png', { transform: { width: 150, height: 150 } }).data.publicUrl
  check('getPublicUrl with transform names /render/image/public', url.includes('/storage/v1/render/image/public/si-pub/cat.png?width=150&height=150'), url)
  let got = await fetchDims(url)
  check('the public render URL with no credentials: 150x150 PNG (cover)', got.status === 200 && got.type === 'image/png' && got.dims === 'png 150x150', show(got))
  url = f.getPublicUrl('cat.png', { transform: { width: 150, height: 150, resize: 'contain', format: 'webp', quality: 70 } }).data.publicUrl
  got = await fetchDims(url)
  check('contain + webp: 150x100 WebP', got.status === 200 && got.type === 'image/webp' && got.dims === 'webp 150x100', show(got))
  r = await admin.storage.from('si-pub').download('cat.png', { transform: { width: 60, height: 20, resize: 'fill' } })
  check('download with transform (fill): 60x20 PNG', !r.error && (await blobDims(r.data)) === 'png 60x20', show(r.error))
  r = await admin.storage.from('si-pub').download('cat.png', { transform: { width: 5000 } })
  check('download with an out-of-range width: a 400 error', r.error && r.error.status === 400, show(r.error || r.data))
}

async function privateImages() {
  await admin.storage.createBucket('si-users', { public: false })
  const a = await signUp('image-a')
  const b = await signUp('image-b')
  const fa = a.client.storage.from('si-users')
  let r = await fa.upload(`${a.id}/me.png`, new Blob([IMAGE], { type: 'image/png' }))
  check('user A uploads a PNG into its folder', !r.error, show(r.error))
  r = await fa.download(`${a.id}/me.png`, { transform: { width: 100 } })
  check('user A downloads it transformed: 100x67 PNG', !r.error && (await blobDims(r.data)) === 'png 100x67', show(r.error))
  r = await b.client.storage.from('si-users').download(`${a.id}/me.png`, { transform: { width: 100 } })
  check("user B cannot download A's image transformed: 404", r.error && r.error.status === 404, show(r.error || r.data))
  r = await newClient().storage.from('si-users').download(`${a.id}/me.png`, { transform: { width: 100 } })
  check('anon cannot download it transformed: 404', r.error && r.error.status === 404, show(r.error || r.data))
  const pub = newClient().storage.from('si-users').getPublicUrl(`${a.id}/me.png`, { transform: { width: 50 } }).data.publicUrl
  const resp = await fetch(pub)
  check('the public render URL of a private bucket: 404', resp.status === 404, resp.status)
  r = await fa.createSignedUrl(`${a.id}/me.png`, 60, { transform: { width: 64, height: 64, format: 'webp' } })
  check('createSignedUrl with transform: a /render/image/sign URL', !r.error && r.data.signedUrl.includes('/render/image/sign/si-users/'), show(r.error || r.data))
  if (r.data) {
    const got = await fetchDims(r.data.signedUrl)
    check('the signed render URL with no credentials: 64x64 WebP', got.status === 200 && got.dims === 'webp 64x64', show(got))
    const tampered = r.data.signedUrl.replace(/token=([^&]+)/, (m, t) => 'token=' + t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA'))
    const bad = await fetch(tampered)
    check('a tampered signed render URL: 400', bad.status === 400, bad.status)
  }
  r = await b.client.storage.from('si-users').createSignedUrl(`${a.id}/me.png`, 60, { transform: { width: 10 } })
  check("user B cannot sign A's image with a transform", r.error && r.error.status === 404, show(r.error || r.data))
}

psql(CLEANUP + POLICIES)
try {
  await section('public images', publicImages)
  await section('private images', privateImages)
} finally {
  psql(CLEANUP)
}
process.exit(summary())
