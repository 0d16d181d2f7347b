/**
 * The ceiling for the hello benchmark: a `node:net` responder that answers each request head (each
 * `\r\n\r\n`) with a fixed response, with no parsing at all. No real server can beat it; it shows how close
 * one can get. The bytes are basehttp's own answer (given base64-encoded with `--response`), so both send the
 * same.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { requestHeads } from './request-heads.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, response: { type: 'string' } } });
const RESPONSE = Buffer.from(values.response!, 'base64');

net
  .createServer((socket) => {
    socket.on('error', () => {});
    socket.on(
      'data',
      requestHeads(() => socket.write(RESPONSE)),
    );
  })
  .listen(Number(values.port), '127.0.0.1');
