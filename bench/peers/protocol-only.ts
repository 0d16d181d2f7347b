/**
 * What a server costs here before any engine: a `node:net` responder that parses every request with
 * basehttp's `RequestReader` and answers it with a head built per request from basehttp's protocol layer
 * (`statusLine`, `fieldLine`, the current Date) and the body, written as one Latin-1 string as the engine
 * writes a small answer. It has no handler object, exchange, body stream, keep-alive or timeout rules, logging
 * or error answers. The bytes are basehttp's own answer (`--response`, base64), so all peers send the same.
 * Set beside the bare responder, it shows how much of the hello target the parsing and head building that
 * every conforming server does leave to the rest.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { currentHttpDate } from '../../src/protocol/http-date.js';
import { DEFAULT_HEAD_LIMITS } from '../../src/protocol/message-reader.js';
import { RequestReader } from '../../src/protocol/request-reader.js';
import { fieldLine, statusLine } from '../../src/protocol/response-head.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, response: { type: 'string' } } });
const sample = Buffer.from(values.response!, 'base64');
const headEnd = sample.indexOf('\r\n\r\n');
const [first, ...lines] = sample.toString('latin1', 0, headEnd).split('\r\n');
const [version, code, ...reason] = first!.split(' ');
const FIELDS = lines.map((line): [string, string] => {
  const colon = line.indexOf(':');
  return [line.slice(0, colon), line.slice(colon + 1).trim()];
});
const BODY = sample.subarray(headEnd + 4);

function answer(): string {
  let head = statusLine(version!, Number(code), reason.join(' '));
  for (const [name, value] of FIELDS) head += fieldLine(name, name === 'Date' ? currentHttpDate() : value);
  return `${head}\r\n${BODY.toString('latin1')}`;
}

net
  .createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const reader = new RequestReader(DEFAULT_HEAD_LIMITS);
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      try {
        for (let head = reader.readHead(); head !== null; head = reader.readHead()) {
          reader.readBody(); // wrk's requests have no body: this only moves the reader past the message
          socket.write(answer(), 'latin1');
        }
      } catch {
        socket.destroy(); // a request it cannot parse: nothing in the benchmark sends one
      }
    });
  })
  .listen(Number(values.port), '127.0.0.1');
