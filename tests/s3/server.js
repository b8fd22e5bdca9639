// The S3-compatible server on loopback for the S3 backend's tests:
// @20minutes/s3rver (pinned in package-lock.json), which checks AWS SigV4
// signatures of headers and presigned URLs (the access key S3RVER, secret
// S3RVER is its only account). Started by scripts/lib/storage.sh:
//   node server.js PORT DIRECTORY BUCKET
'use strict'
const S3rver = require('@20minutes/s3rver')

const [port, directory, bucket] = process.argv.slice(2)
if (!port || !directory || !bucket) {
  console.error('usage: node server.js PORT DIRECTORY BUCKET')
  process.exit(2)
}
new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: false,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
})
  .run()
  .then(({ address, port: p }) => console.log(`s3rver listening on ${address}:${p}`))
  .catch((err) => {
    console.error(err)
    process.exit(1)
  })
