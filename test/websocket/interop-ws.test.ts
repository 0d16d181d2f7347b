import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { WebSocketOptions } from '../../src/index.js';
import { eventually } from '../helpers/wait.js';
import { serverForSuite, startServer, withServer } from '../helpers/server.js';
import { interopHandler } from './interop-server.js';
import { openInbox } from './ws-inbox.js';

const PROTOCOLS = ['chat.v2', 'chat.v1'];

describe('interop: the ws npm client against acceptWebSocket()', () => {
  const { Handler, closes } = interopHandler({ protocols: PROTOCOLS });
  const running = serverForSuite(Handler);
  const url = (path: string): string => `ws://127.0.0.1:${running.port}${path}`;

  it('echoes text and binary messages, and a 1 MiB one', async () => {
    const client = await openInbox(url('/echo'));
    client.socket.send('héllo ✓');
    client.socket.send(Buffer.from([0, 255, 1, 254]));
    const big = randomBytes(1024 * 1024);
    client.socket.send(big);
    assert.deepEqual(await client.message(1), { data: Buffer.from('héllo ✓'), isBinary: false });
    assert.deepEqual(await client.message(2), { data: Buffer.from([0, 255, 1, 254]), isBinary: true });
    const echoed = await client.message(3);
    assert.equal(echoed.isBinary, true);
    assert.ok(echoed.data.equals(big), 'the 1 MiB message comes back byte for byte');
    client.socket.close();
    await client.closed;
  });

  it('answers a ping with a pong carrying the same data', async () => {
    const client = await openInbox(url('/echo'));
    const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
    client.socket.ping('are you there');
    assert.equal((await pong).toString(), 'are you there');
    client.socket.close();
    await client.closed;
  });

  it('closes with the code and reason the client sent, and the server sees them', async () => {
    const client = await openInbox(url('/echo?who=closer'));
    client.socket.close(4000, 'done here');
    assert.equal((await client.closed).code, 4000); // the server's answer repeats the code
    await eventually(() => closes.some((c) => c.code === 4000), 'closes.some((c) => c.code === 4000)');
    assert.deepEqual(
      closes.find((c) => c.code === 4000),
      { path: '/echo', code: 4000, reason: 'done here', wasClean: true },
    );
  });

  it('sees an application close code and reason the server sends', async () => {
    const client = await openInbox(url('/close?code=4321&reason=app+says+bye'));
    assert.deepEqual(await client.closed, { code: 4321, reason: 'app says bye' });
  });

  it("chooses the first of the client's subprotocols the server speaks", async () => {
    const client = await openInbox(url('/describe'), ['x-unknown', 'chat.v1', 'chat.v2']);
    assert.equal(client.socket.protocol, 'chat.v1');
    const seen = JSON.parse(await client.text(1)) as { protocol: string; url: string };
    assert.deepEqual(seen, { ...seen, protocol: 'chat.v1', url: '/describe' });
    client.socket.close();
    const none = await openInbox(url('/describe'));
    assert.equal(none.socket.protocol, '');
    none.socket.close();
  });

  it('refuses a handshake offering only subprotocols it does not speak (ws requires one back)', async () => {
    // RFC 6455 lets the server answer without one; the ws client then fails the connection itself.
    const refused = openInbox(url('/describe'), ['x-unknown']);
    await assert.rejects(refused);
  });

  it('does not negotiate compression unless the server enables it', async () => {
    const client = await openInbox(url('/echo'));
    assert.equal(client.agreedExtensions, '');
    client.socket.close();
  });

  it('sends its close with 1001 when the server shuts down', async () => {
    const running = await startServer(interopHandler().Handler);
    const client = await openInbox(`ws://127.0.0.1:${running.port}/echo`);
    const stopped = running.close();
    assert.equal((await client.closed).code, 1001);
    await stopped;
  });
});

/** The four context-takeover choices on one side. */
const TAKEOVER: Array<{ serverNoContextTakeover?: boolean; clientNoContextTakeover?: boolean }> = [
  {},
  { serverNoContextTakeover: true },
  { clientNoContextTakeover: true },
  { serverNoContextTakeover: true, clientNoContextTakeover: true },
];
const label = (o: (typeof TAKEOVER)[number]): string =>
  Object.keys(o).join('+').replaceAll('ContextTakeover', '') || 'takeover both ways';

describe('interop: permessage-deflate with the ws client, every context-takeover combination', () => {
  for (const server of TAKEOVER) {
    for (const client of TAKEOVER) {
      it(`server ${label(server)}, client offers ${label(client)}`, async () => {
        const compress: WebSocketOptions['compress'] = { ...server, threshold: 0 };
        await withServer(interopHandler({ compress }).Handler, {}, async ({ port }) => {
          const inbox = await openInbox(`ws://127.0.0.1:${port}/echo`, [], {
            perMessageDeflate: { ...client, threshold: 0 },
          });
          const agreed = inbox.agreedExtensions;
          assert.match(agreed, /^permessage-deflate/);
          const serverNoTakeover =
            server.serverNoContextTakeover === true || client.serverNoContextTakeover === true;
          assert.equal(/server_no_context_takeover/.test(agreed), serverNoTakeover, agreed);
          if (server.clientNoContextTakeover === true) assert.match(agreed, /client_no_context_takeover/);
          // The same text several times (the second and later compress against the first when the context
          // is kept), then a different one, then binary: each must come back exact.
          const text = 'the quick brown fox jumps over the lazy dog '.repeat(50);
          const sent = [text, text, text, `${text}!`, randomBytes(3000), 'short'];
          for (const message of sent) inbox.socket.send(message);
          for (const [i, message] of sent.entries()) {
            const got = await inbox.message(i + 1);
            assert.ok(got.data.equals(Buffer.from(message)), `message ${i + 1} comes back exact`);
            assert.equal(got.isBinary, typeof message !== 'string');
          }
          inbox.socket.close(1000);
          assert.equal((await inbox.closed).code, 1000);
        });
      });
    }
  }

  it('decompresses a 1 MiB compressible message the client compressed', async () => {
    await withServer(interopHandler({ compress: true }).Handler, {}, async ({ port }) => {
      const inbox = await openInbox(`ws://127.0.0.1:${port}/echo`, [], { perMessageDeflate: true });
      assert.match(inbox.agreedExtensions, /^permessage-deflate/);
      const big = 'basehttp '.repeat(116_509).slice(0, 1024 * 1024);
      inbox.socket.send(big);
      assert.equal(await inbox.text(1), big);
      inbox.socket.close();
    });
  });
});
