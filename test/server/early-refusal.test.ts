/**
 * Input that cannot be HTTP is refused as it arrives, over real sockets (issue 16, findings 1 and 2): trailer
 * fields past the count limit before their section ends, bytes no request line or field name can hold
 * before any line end, and a TLS handshake on the plain port, which is logged as such.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';
import { Echo } from './handlers.js';

/** The start of a TLS 1.2/1.3 ClientHello record, as a browser sends it: enough to recognise one. */
const CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5a]);

/** Sends `data` and returns the one response and whether the server closed the connection after it. */
async function refusedWith(port: number, data: string | Buffer | Array<string | Buffer>) {
  const { bytes, closed } = await exchangeRaw(port, data, { untilClose: true, pauseMs: 0 });
  const responses = parseResponses(bytes);
  assert.equal(responses.length, 1, bytes.toString('latin1'));
  return { status: responses[0]!.status, closed };
}

describe('refused as it arrives', () => {
  // Long timeouts: an answer can only come from the refusal itself, never from a timer.
  const ctx = serverForSuite(Echo, { headersTimeout: 60_000, bodyTimeout: 60_000 });

  it('answers 431 and closes once a trailer section passes the field limit, before its end', async () => {
    const lines = Array.from({ length: 200 }, () => 'X: y\r\n');
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n';
    const { status, closed } = await refusedWith(ctx.port, [head, ...lines]);
    assert.equal(status, 431);
    assert.ok(closed);
  });

  it('answers 431 and closes for one trailer line over the size limit, before its end', async () => {
    const head = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n';
    const { status, closed } = await refusedWith(ctx.port, [head, `X-Long: ${'a'.repeat(70 * 1024)}`]);
    assert.equal(status, 431);
    assert.ok(closed);
  });

  it('answers 400 and closes at the first byte no method can hold, with no line end sent', async () => {
    for (const garbage of ['\x00\x01\x02', 'GE\x7fT', ' GET', 'GET\t/', '\r\x00']) {
      const { status, closed } = await refusedWith(ctx.port, garbage);
      assert.equal(status, 400, JSON.stringify(garbage));
      assert.ok(closed);
    }
  });

  it('answers 400 and closes at the first byte no field name can hold, with no line end sent', async () => {
    for (const garbage of ['Ho\x01', 'Host : x', ': x', 'X-\xff']) {
      const { status, closed } = await refusedWith(ctx.port, `GET / HTTP/1.1\r\n${garbage}`);
      assert.equal(status, 400, JSON.stringify(garbage));
      assert.ok(closed);
    }
  });

  it('still waits for a request line and fields sent a byte at a time', async () => {
    const request = 'GET /slow HTTP/1.1\r\nHost: x\r\nX-Folded-Later: 1\r\nConnection: close\r\n\r\n';
    const { bytes } = await exchangeRaw(ctx.port, [...request], { pauseMs: 0 });
    assert.equal(parseResponses(bytes)[0]!.status, 200);
  });

  it('refuses a TLS ClientHello on the plain port at once and logs it as one', async () => {
    const before = ctx.log.length;
    const { status, closed } = await refusedWith(ctx.port, CLIENT_HELLO);
    assert.equal(status, 400);
    assert.ok(closed);
    ctx.server.flushLog();
    assert.ok(
      ctx.log.slice(before).some((line) => line.includes('TLS handshake on a plain HTTP port')),
      ctx.log.slice(before).join('\n'),
    );
  });

  it('fails a real TLS client (node:tls, curl) at once instead of holding it', async () => {
    const before = ctx.log.length;
    const failed = await new Promise<Error>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: ctx.port, rejectUnauthorized: false });
      socket.on('error', resolve);
      socket.on('secureConnect', () => resolve(new Error('handshake succeeded')));
    });
    assert.notEqual(failed.message, 'handshake succeeded');
    const curl = await new Promise<number>((resolve) => {
      execFile('curl', ['-sk', '--max-time', '20', `https://127.0.0.1:${ctx.port}/`], (err) =>
        resolve(err === null ? 0 : ((err as { code?: number }).code ?? -1)),
      );
    });
    assert.equal(curl, 35, 'curl: SSL connect error, not a timeout (28)');
    ctx.server.flushLog();
    const tlsLines = ctx.log.slice(before).filter((l) => l.includes('TLS handshake on a plain HTTP port'));
    assert.equal(tlsLines.length, 2, ctx.log.slice(before).join('\n'));
  });
});
