/**
 * What a server costs here before any engine: a `node:net` responder that parses every request with
 * basehttp's `RequestReader` and answers it with a head built per request from basehttp's protocol layer
 * (`statusLine`, `fieldLine`, the current Date) and the body, written as one Latin-1 string as the engine
 * writes a small answer. It has no handler object, exchange, body stream, keep-alive or timeout rules, logging
 * or error answers. The bytes are basehttp's own answer (`--response`, base64), so all peers send the same.
 * Set beside the bare responder, it shows how much of the hello target the parsing and head building that
 * every conforming server does leave to the rest. With `--cert` and `--key` it answers over `node:tls`, its
 * answer joined into one Buffer as the engine joins a small answer for a TLS socket: the same floor for the
 * HTTPS target.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { currentHttpDate } from '../../src/protocol/http-date.js';
import { DEFAULT_HEAD_LIMITS } from '../../src/protocol/message-reader.js';
import { RequestReader } from '../../src/protocol/request-reader.js';
import { ResponseReader } from '../../src/protocol/response-reader.js';
import { fieldLine, statusLine } from '../../src/protocol/response-head.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    response: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
// The sample answer read back with the protocol layer's own reader: its status line, fields and body.
const reader = new ResponseReader(DEFAULT_HEAD_LIMITS);
reader.push(Buffer.from(values.response!, 'base64'));
const sample = reader.readHead()!;
const FIELDS = [...sample.headers];
const BODY = reader.takeBuffered();

function head(): string {
  let text = statusLine(sample.version, sample.status, sample.reason);
  for (const [name, value] of FIELDS) text += fieldLine(name, name === 'Date' ? currentHttpDate() : value);
  return `${text}\r\n`;
}

/** Writes an answer in the form the engine's `writeJoined` takes for this kind of socket. */
const send =
  values.cert === undefined
    ? (socket: net.Socket): boolean => socket.write(head() + BODY.toString('latin1'), 'latin1')
    : (socket: net.Socket): boolean => {
        const text = head();
        const bytes = Buffer.allocUnsafe(text.length + BODY.length);
        bytes.write(text, 0, 'latin1');
        BODY.copy(bytes, text.length);
        return socket.write(bytes);
      };

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const requests = new RequestReader(DEFAULT_HEAD_LIMITS);
  socket.on('data', (chunk: Buffer) => {
    requests.push(chunk);
    try {
      for (let request = requests.readHead(); request !== null; request = requests.readHead()) {
        requests.readBody(); // wrk's requests have no body: this only moves the reader past the message
        send(socket);
      }
    } catch {
      socket.destroy(); // a request it cannot parse: nothing in the benchmark sends one
    }
  });
}

const server =
  values.cert === undefined
    ? net.createServer(serve)
    : tls.createServer(
        { cert: readFileSync(values.cert), key: readFileSync(values.key ?? values.cert) },
        serve,
      );
server.listen(Number(values.port), '127.0.0.1');
