// An S3-compatible server on loopback for the s3 backend's integration
// tests: @20minutes/s3rver, which checks SigV4 signatures of header-signed
// and presigned requests (the original s3rver 3.x does not).  Installed by
// .ci/run into tests/node_modules.
//
//   node tests/s3rver.js DIR [PORT]   prints "port N" once it listens
//
// Credentials are s3rver's fixed pair S3RVER / S3RVER; the bucket "media"
// exists from the start.  Objects live under DIR, so a restart on the same
// port keeps them.
const S3rver = require('@20minutes/s3rver');

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.argv[3] || 0),
  directory: process.argv[2],
  silent: true,
  configureBuckets: [{ name: 'media', configs: [] }],
});

server.run().then((addr) => {
  process.stdout.write(`port ${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
