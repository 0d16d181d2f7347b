import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TOO_SLOW } from '../../examples/chat/chat-room.js';
import { startExample } from '../helpers/example.js';
import { openInbox } from './ws-inbox.js';

for (const name of ['chat/server', 'chat/hono']) {
  describe(`examples/${name} (two ws clients)`, () => {
    it('serves the page and sends a message from one client to both', async () => {
      const chat = await startExample(name);
      try {
        const page = await fetch(chat.base);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /new WebSocket\(url\)/);
        const wsUrl = `ws://127.0.0.1:${chat.port}/ws`;
        const alice = await openInbox(wsUrl);
        const bob = await openInbox(wsUrl);
        assert.match(alice.socket.extensions, /permessage-deflate/);
        alice.socket.send('hello from alice');
        assert.equal(await alice.text(1), 'hello from alice');
        assert.equal(await bob.text(1), 'hello from alice');
        bob.socket.send(Buffer.from([1, 2, 3]));
        const binary = await alice.message(2);
        assert.deepEqual([binary.isBinary, [...binary.data]], [true, [1, 2, 3]]);
        alice.socket.close(1000, 'bye');
        assert.deepEqual(await alice.closed, { code: 1000, reason: 'bye' });
        bob.socket.send('alice left');
        assert.equal(await bob.text(3), 'alice left');
      } finally {
        chat.stop();
      }
    });

    it('drops a client that stops reading (backpressure) and keeps serving the others', async () => {
      const chat = await startExample(name);
      try {
        const wsUrl = `ws://127.0.0.1:${chat.port}/ws`;
        const talker = await openInbox(wsUrl);
        const sleeper = await openInbox(wsUrl);
        sleeper.socket.pause(); // reads nothing: kernel buffers fill, then the server's queue
        // 400 random 64 KiB messages: far more than the loopback buffers and a 1 MiB highWaterMark hold.
        const count = 400;
        const chunk = randomBytes(64 * 1024);
        for (let i = 1; i <= count; i++) {
          talker.socket.send(chunk);
          await talker.message(i); // one at a time: the talker itself reads everything it is sent
        }
        sleeper.socket.resume();
        const { code, reason } = await sleeper.closed;
        assert.deepEqual({ code, reason }, { code: TOO_SLOW, reason: 'too slow' });
        assert.ok(sleeper.messages.length < count, `the sleeper got ${sleeper.messages.length}`);
        talker.socket.send('still here');
        assert.equal(await talker.text(count + 1), 'still here');
      } finally {
        chat.stop();
      }
    });
  });
}
