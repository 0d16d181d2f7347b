/**
 * The fuzzing classes of issue 16 as regression tests: a few hundred seeded request and response streams
 * (valid, and mutated at grammar boundaries), each checked by `checkCase`, and some compared with llhttp
 * (node:http over loopback) where message boundaries can be compared. `npm run fuzz` runs more for longer.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkCase, fuzzCase, readAll } from './corpus.js';

const CASES = 300;
const COMPARED = 60;

describe('fuzz corpus: seeded cases read the same however they are split', () => {
  it(`${CASES} request streams`, () => {
    for (let seed = 1; seed <= CASES; seed++) checkCase(seed, 'request');
  });

  it(`${CASES} response streams`, () => {
    for (let seed = 1; seed <= CASES; seed++) checkCase(seed, 'response');
  });
});

/** What node:http read on one connection: `METHOD target HTTP/x.y` and body, per request. */
type Seen = Array<{ start: string; body: string }>;

describe('fuzz corpus: request boundaries agree with llhttp (node:http on loopback)', () => {
  const seen = new Map<number, Seen>();
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const list = seen.get(req.socket.remotePort!)!;
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      list.push({ start: `${req.method} ${req.url} HTTP/${req.httpVersion}`, body });
      res.end('ok');
    });
  };
  // Every request node:http reads is recorded, those with an Expect field too.
  const server = http.createServer(handle).on('checkContinue', handle).on('checkExpectation', handle);
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `input`, ends the stream, and returns what node:http read once it closed the connection. */
  function nodeReads(input: Buffer): Promise<Seen> {
    return new Promise((resolve, reject) => {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      const list: Seen = [];
      socket.on('connect', () => {
        seen.set(socket.localPort!, list);
        socket.end(input);
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => resolve(list));
      socket.setTimeout(10_000, () => reject(new Error('node:http did not close the connection')));
    });
  }

  it(`${COMPARED} request streams: messages both read are the same messages`, async () => {
    for (let seed = 1; seed <= COMPARED; seed++) {
      const input = Buffer.from(fuzzCase(seed, 'request'), 'latin1');
      const ours = readAll('request', input, []);
      const theirs = await nodeReads(input);
      const both = Math.min(ours.messages.length, theirs.length);
      for (let i = 0; i < both; i++) {
        const mine = ours.messages[i]!;
        assert.deepEqual(
          { start: mine.start, body: mine.body },
          theirs[i],
          `seed ${seed}, message ${i}: ${JSON.stringify(input.toString('latin1'))}`,
        );
      }
    }
  });
});
