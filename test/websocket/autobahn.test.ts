/** Autobahn-equivalent cases (sections 1-7, 9) against a real server over raw sockets: one table, one runner. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASES, CLOSE, type AutobahnCase } from './autobahn-cases.js';
import { EchoHandler } from './echo-handler.js';
import { RawClient, closeBody, frame } from './raw-client.js';
import { serverForSuite } from '../helpers/server.js';

function closeCode(payload: Buffer): number | null {
  return payload.length === 0 ? null : payload.readUInt16BE(0);
}

async function runCase(port: number, c: AutobahnCase): Promise<void> {
  const client = await RawClient.open(port);
  try {
    assert.match(client.head, /^HTTP\/1\.1 101 /);
    await client.send(...c.send);
    for (const [opcode, payload] of c.expect ?? []) {
      const got = await client.next();
      assert.equal(got.opcode, opcode, `${c.id}: opcode`);
      assert.equal(got.masked, false, `${c.id}: a server frame is never masked`);
      const want = typeof payload === 'string' ? Buffer.from(payload) : payload;
      assert.ok(
        got.payload.equals(want),
        `${c.id}: payload of ${got.payload.length} bytes, want ${want.length}`,
      );
    }
    const end = c.end ?? 'ok';
    if (end === 'ok') await client.send(frame(CLOSE, closeBody(1000)));
    const last = await client.next();
    assert.equal(last.opcode, CLOSE, `${c.id}: a close frame, got opcode ${last.opcode}`);
    const want = end === 'ok' ? 1000 : 'fail' in end ? end.fail : end.echoClose;
    assert.equal(closeCode(last.payload), want, `${c.id}: close code`);
    assert.ok(await client.serverClosed(), `${c.id}: the server closes the TCP connection`);
    assert.equal(client.pendingBytes, 0, `${c.id}: nothing after the close frame`);
  } finally {
    client.destroy();
  }
}

describe('Autobahn-equivalent cases', () => {
  const running = serverForSuite(EchoHandler);
  for (const c of CASES) {
    it(`${c.id} ${c.title}`, () => runCase(running.port, c));
  }
});
