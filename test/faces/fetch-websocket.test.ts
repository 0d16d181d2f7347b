/** The Fetch face's `upgradeWebSocket` (Deno's semantics), with the `ws` client, curl and a Hono app. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { WebSocket as WsClient } from 'ws';
import {
  WebSocketStateError,
  WebSocketUpgradeError,
  upgradeWebSocket,
  type FetchApp,
  type WebSocket,
  type WebSocketCloseEvent,
  type WebSocketErrorEvent,
} from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { startFetch, within } from './fetch-helpers.js';

/** Connects a `ws` client and waits for it to open; resolves with it and the 101's headers. */
async function connect(url: string): Promise<{ client: WsClient; headers: Record<string, unknown> }> {
  const client = new WsClient(url);
  let headers: Record<string, unknown> = {};
  client.on('upgrade', (res) => (headers = res.headers));
  await within(once(client, 'open'), 5000, 'client open');
  return { client, headers };
}

/** The next message a `ws` client receives, as text. */
async function nextMessage(client: WsClient): Promise<string> {
  const [data] = (await within(once(client, 'message'), 5000, 'message')) as [Buffer];
  return data.toString();
}

describe('upgradeWebSocket in a serve() app', () => {
  it('returns a CONNECTING socket and a 101 response; the socket opens once the response is written', async () => {
    const states: number[] = [];
    let stateError: unknown = null;
    const app: FetchApp = (request) => {
      const { socket, response } = upgradeWebSocket(request, { protocols: ['chat'] });
      states.push(socket.readyState);
      try {
        socket.send('too early');
      } catch (err) {
        stateError = err;
      }
      socket.onopen = () => states.push(socket.readyState);
      socket.onmessage = (event) => socket.send(`echo ${event.data as string}`);
      assert.equal(response.status, 101);
      response.headers.set('Set-Cookie', 'session=1; HttpOnly');
      return response;
    };
    const { server, port } = await startFetch(app);
    try {
      const client = new WsClient(`ws://127.0.0.1:${port}/room?x=1`, ['chat']);
      let headers: Record<string, unknown> = {};
      client.on('upgrade', (res) => (headers = res.headers));
      await within(once(client, 'open'), 5000, 'open');
      assert.equal(client.protocol, 'chat');
      assert.deepEqual(headers['set-cookie'], ['session=1; HttpOnly']);
      client.send('hi');
      assert.equal(await nextMessage(client), 'echo hi');
      assert.deepEqual(states, [0, 1], 'CONNECTING when made, OPEN at open');
      assert.ok(stateError instanceof WebSocketStateError);
      client.close(1000);
      await once(client, 'close');
    } finally {
      await server.close();
    }
  });

  it('a Hono route upgrades the same way, and other routes stay HTTP on the same server', async () => {
    const app = new Hono();
    app.get('/ws', (c) => {
      const { socket, response } = upgradeWebSocket(c.req.raw);
      socket.onmessage = (event) => socket.send((event.data as string).toUpperCase());
      return response;
    });
    app.get('/', (c) => c.text('plain'));
    const { server, port } = await startFetch(app.fetch);
    try {
      const { client } = await connect(`ws://127.0.0.1:${port}/ws`);
      client.send('hono');
      assert.equal(await nextMessage(client), 'HONO');
      const plain = await curl(port, '/');
      assert.equal(plain.body, 'plain');
      client.close();
      await once(client, 'close');
    } finally {
      await server.close();
    }
  });

  it('a request that is no handshake gets 426 with Upgrade: websocket (curl), and the server goes on', async () => {
    const app: FetchApp = (request) => upgradeWebSocket(request).response;
    const { server, port, log } = await startFetch(app);
    try {
      const r = await curl(port, '/ws');
      assert.equal(r.status, 426);
      assert.equal(r.fields.get('upgrade'), 'websocket');
      const bad = await curl(port, '/ws', '-H', 'Upgrade: websocket', '-H', 'Connection: Upgrade');
      assert.equal(bad.status, 426, 'no Sec-WebSocket-Version: 426 naming version 13');
      assert.equal(bad.fields.get('sec-websocket-version'), '13');
      assert.ok(
        log.some((l) => l.includes('426')),
        log.join('\n'),
      );
    } finally {
      await server.close();
    }
  });

  it('an upgrade the app does not return: the socket reports a WebSocketUpgradeError and closes with 1006', async () => {
    const seen: Array<WebSocketErrorEvent | WebSocketCloseEvent> = [];
    let socket: WebSocket | null = null;
    const app: FetchApp = (request) => {
      socket = upgradeWebSocket(request).socket;
      socket.onerror = (event) => seen.push(event);
      socket.onclose = (event) => seen.push(event);
      return new Response('changed my mind', { status: 403 });
    };
    const { server, port } = await startFetch(app);
    try {
      const client = new WsClient(`ws://127.0.0.1:${port}/`);
      client.on('error', () => {}); // ws reports the refused handshake again when terminated
      const [, res] = (await within(once(client, 'unexpected-response'), 5000, 'answer')) as [
        unknown,
        { statusCode: number },
      ];
      assert.equal(res.statusCode, 403);
      client.terminate();
      assert.equal(seen.length, 2);
      assert.ok((seen[0] as WebSocketErrorEvent).error instanceof WebSocketUpgradeError);
      assert.equal((seen[1] as WebSocketCloseEvent).code, 1006);
      assert.equal(socket!.readyState, 3);
    } finally {
      await server.close();
    }
  });

  it('upgradeWebSocket refuses a Request that serve() did not give, and a second call', async () => {
    assert.throws(() => upgradeWebSocket(new Request('http://x/')), WebSocketUpgradeError);
    let second: unknown = null;
    const app: FetchApp = (request) => {
      const { response } = upgradeWebSocket(request);
      try {
        upgradeWebSocket(request);
      } catch (err) {
        second = err;
      }
      return response;
    };
    const { server, port } = await startFetch(app);
    try {
      const { client } = await connect(`ws://127.0.0.1:${port}/`);
      assert.ok(second instanceof WebSocketUpgradeError);
      client.terminate();
    } finally {
      await server.close();
    }
  });

  it('shutdown closes open sockets with 1001', async () => {
    const app: FetchApp = (request) => upgradeWebSocket(request).response;
    const { server, port } = await startFetch(app, { shutdownTimeout: 2000 });
    const { client } = await connect(`ws://127.0.0.1:${port}/`);
    const closed = once(client, 'close');
    await server.close();
    const [code] = (await within(closed, 5000, 'close')) as [number];
    assert.equal(code, 1001);
  });
});
