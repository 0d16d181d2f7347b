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
        assert.match(alice.agreedExtensions, /^permessage-deflate/);
        alice.socket.send('hello from alice');
        assert.equal(await alice.text(1), 'hello from alice');
        assert.equal(await bob.text(1), 'hello from alice');
        bob.socket.send(Buffer.from([1, 2, 3]));
        const binary = await alice.message(2);
        assert.deepEqual([binary.isBinary, [...binary.data]], [true, [1, 2, 3]]);
        alice.socket.close(1000, 'bye');
        assert.equal((await alice.closed).code, 1000);
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
        // Random 64 KiB messages (compression cannot shrink them), one at a time so that the talker reads
        // everything it is sent, until the server says it dropped the sleeper: 400 are far more than the
        // loopback buffers and a 1 MiB highWaterMark hold.
        const count = 400;
        const chunk = randomBytes(64 * 1024);
        let sent = 0;
        while (sent < count && !chat.stderr().includes('chat: dropped a client')) {
          talker.socket.send(chunk);
          await talker.message(++sent);
        }
        const droppedAfter = sent;
        for (const text of ['one', 'two', 'three']) {
          talker.socket.send(text); // not for the sleeper any more
          await talker.message(++sent);
        }
        // Read now, before the server's closeTimeout cuts the connection: its close frame is queued.
        sleeper.socket.resume();
        const { code, reason } = await sleeper.closed;
        assert.deepEqual({ code, reason }, { code: TOO_SLOW, reason: 'too slow' });
        // What was queued when it was dropped, and nothing sent after the server said so.
        assert.ok(sleeper.messages.length <= droppedAfter, `${sleeper.messages.length} > ${droppedAfter}`);
        talker.socket.send('still here');
        assert.equal(await talker.text(sent + 1), 'still here');
      } finally {
        chat.stop();
      }
    });
  });
}
