/**
 * The ceiling for the HTTPS benchmark: a `node:tls` responder that answers each request head (each
 * `\r\n\r\n`) with a fixed response (basehttp's own bytes, given base64-encoded with `--response`), with no
 * parsing at all. What Node's TLS costs by itself shows here; no server on Node can beat it.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { requestHeads } from './request-heads.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    response: { type: 'string' },
  },
});
const RESPONSE = Buffer.from(values.response!, 'base64');

tls
  .createServer({ cert: readFileSync(values.cert!), key: readFileSync(values.key!) }, (socket) => {
    socket.on('error', () => {});
    socket.on(
      'data',
      requestHeads(() => socket.write(RESPONSE)),
    );
  })
  .listen(Number(values.port), '127.0.0.1');
