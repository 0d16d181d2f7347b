import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestUpgrade } from '../../src/client/upgrade-request.js';

/**
 * node:http answering `Upgrade: shout` with 101 and its first bytes in the same write as the head, then
 * echoing upper-cased; `Upgrade: nope` gets 403 with a body.
 */
function shoutServer(): http.Server {
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    if (req.headers.upgrade !== 'shout') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\nno way');
      return;
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nHELLO ');
    socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  return server;
}

describe('requestUpgrade', () => {
  const server = shoutServer();
  let origin: URL;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  });
  after(() => server.close());

  const offer = (protocol: string) => ({
    method: 'GET',
    path: '/',
    headers: [
      ['Upgrade', protocol],
      ['Connection', 'upgrade'],
    ] as Array<[string, string]>,
    timeout: 5000,
    tls: {},
  });

  it('hands over the socket a 101 switched, with the bytes sent past its head', async () => {
    const { response, switched } = await requestUpgrade(origin, offer('shout'));
    assert.equal(response.status, 101);
    assert.equal(response.headers.get('upgrade'), 'shout');
    assert.ok(switched !== null);
    let heard = switched.head.toString();
    const done = new Promise<void>((resolve) => switched.socket.once('close', () => resolve()));
    switched.read((chunk) => {
      heard += chunk.toString();
      if (heard.endsWith('WORLD')) switched.socket.end();
      return true;
    });
    switched.socket.write('world');
    await done;
    assert.equal(heard, 'HELLO WORLD');
  });

  it('reads any other answer as a response, and closes that connection after it', async () => {
    const { response, switched } = await requestUpgrade(origin, offer('nope'));
    assert.equal(switched, null);
    assert.equal(response.status, 403);
    assert.equal((await response.read()).toString(), 'no way');
  });
});
