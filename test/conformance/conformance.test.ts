import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';
import { CASES, CHOICES, type Case } from './cases.js';
import { Ok } from './ok-handler.js';

const VALID = 'GET /first HTTP/1.1\r\nHost: t\r\n\r\n';

/** The request in pieces of `size` bytes. */
function pieces(request: string, size: number): Buffer[] {
  const bytes = Buffer.from(request, 'latin1');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/**
 * Each case three ways over a socket, on three connections at once: whole, a byte at a time (heads of several
 * KiB in 1 KiB pieces, to stay quick), and pipelined behind a valid request, which must be answered first.
 */
async function check(port: number, c: Case): Promise<void> {
  const modes: Array<[string, string | Buffer[], number[]]> = [
    ['whole', c.request, []],
    ['byte by byte', pieces(c.request, c.request.length > 2048 ? 1024 : 1), []],
    ['pipelined', VALID + c.request, [200]],
  ];
  // A refused request: everything up to the close. An accepted one: the idle window only once its answer and
  // the next request's are in, so a slow (loaded) server cannot end the exchange early.
  const waitFor = (before: number[]) => (c.close ? { untilClose: true } : { responses: before.length + 2 });
  const answers = await Promise.all(
    modes.map(([, data, before]) => exchangeRaw(port, data, { pauseMs: 0, ...waitFor(before) })),
  );
  for (const [i, [mode, , before]] of modes.entries()) {
    const r = answers[i]!;
    const statuses = parseResponses(r.bytes)
      .filter((x) => x.status >= 200) // interim 100s aside
      .map((x) => x.status);
    if (c.close) {
      assert.deepEqual(
        statuses,
        [...before, c.status],
        `${mode}: nothing after a refused request is answered`,
      );
      assert.equal(r.closed, true, `${mode}: the connection is closed`);
    } else {
      assert.deepEqual(statuses, [...before, 200, 200], `${mode}: the request after it is answered too`);
      assert.equal(r.closed, false, `${mode}: the connection stays open`);
    }
  }
}

describe('RFC 9112 conformance over a socket', () => {
  const ctx = serverForSuite(Ok);
  for (const c of CASES) it(c.name, () => check(ctx.port, c));
});

describe("basehttp's choices where the RFCs leave room, over a socket", () => {
  const ctx = serverForSuite(Ok);
  for (const c of CHOICES) it(c.name, () => check(ctx.port, c));
});
