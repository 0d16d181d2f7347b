/** The opening handshake over real sockets: 101 with its fields, refusals with theirs (raw and with curl). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimpleHTTPRequestHandler, type LogFormat } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { exchangeRaw, parseResponses, serverForSuite, startServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { EchoHandler } from './echo-handler.js';
import { RawClient, handshake } from './raw-client.js';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
/** RFC 6455 §1.3's example: this key gives this accept value. */
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

interface Refusal {
  name: string;
  request: string;
  status: number;
  fields?: Record<string, string>;
}

const REFUSALS: Refusal[] = [
  { name: 'a POST', request: handshake().replace('GET', 'POST'), status: 400 },
  { name: 'HTTP/1.0', request: handshake().replace('HTTP/1.1', 'HTTP/1.0'), status: 400 },
  {
    name: 'a plain GET (no Upgrade)',
    request: handshake('/', { Upgrade: '', Connection: '' }),
    status: 426,
    fields: { upgrade: 'websocket', connection: 'Upgrade, close' },
  },
  {
    name: 'an upgrade to another protocol',
    request: handshake('/', { Upgrade: 'h2c' }),
    status: 426,
    fields: { upgrade: 'websocket' },
  },
  { name: 'Connection without upgrade', request: handshake('/', { Connection: 'keep-alive' }), status: 400 },
  {
    name: 'version 8',
    request: handshake('/', { 'Sec-WebSocket-Version': '8' }),
    status: 426,
    fields: { 'sec-websocket-version': '13' },
  },
  {
    name: 'no version',
    request: handshake('/', { 'Sec-WebSocket-Version': '' }),
    status: 426,
    fields: { 'sec-websocket-version': '13' },
  },
  { name: 'no key', request: handshake('/', { 'Sec-WebSocket-Key': '' }), status: 400 },
  {
    name: 'a key of 15 bytes',
    request: handshake('/', { 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAA' }),
    status: 400,
  },
  {
    name: 'a key that is no base64',
    request: handshake('/', { 'Sec-WebSocket-Key': 'not base64 at all!!!!!==' }),
    status: 400,
  },
  {
    name: 'two keys',
    request: handshake('/').replace('\r\n\r\n', `\r\nSec-WebSocket-Key: ${RFC_KEY}\r\n\r\n`),
    status: 400,
  },
  {
    name: 'a subprotocol that is no token',
    request: handshake('/', { 'Sec-WebSocket-Protocol': 'a b' }),
    status: 400,
  },
];

/** Joins repeated fields as a list, the way a client reads them. */
function field(fields: Map<string, string[]>, name: string): string | undefined {
  return fields.get(name)?.join(', ');
}

describe('WebSocket handshake', () => {
  const running = serverForSuite(EchoHandler);

  it('answers 101 with the accept value of RFC 6455 §1.3, and the log shows 101 once', async () => {
    const client = await RawClient.open(running.port, '/');
    client.destroy();
    const lines = client.head.split('\r\n');
    assert.equal(lines[0], 'HTTP/1.1 101 Switching Protocols');
    assert.ok(lines.includes('Upgrade: websocket'));
    assert.ok(lines.includes('Connection: Upgrade'));
    assert.ok(lines.includes(`Sec-WebSocket-Accept: ${RFC_ACCEPT}`));
    assert.ok(!lines.some((l) => /^(Content-Length|Transfer-Encoding|Sec-WebSocket-Protocol):/i.test(l)));
    assert.equal(running.log.filter((l) => l.includes('"GET / HTTP/1.1" 101')).length, 1);
  });

  for (const r of REFUSALS) {
    it(`refuses ${r.name} with ${r.status}`, async () => {
      const { bytes } = await exchangeRaw(running.port, r.request);
      const [response] = parseResponses(bytes);
      assert.equal(response!.status, r.status);
      for (const [name, value] of Object.entries(r.fields ?? {})) {
        assert.equal(field(response!.headers, name), value, name);
      }
      assert.equal(response!.headers.get('sec-websocket-accept'), undefined);
    });
  }

  it('refuses a plain curl GET with 426 and the Upgrade to ask for', async () => {
    const res = await curl(running.port, '/');
    assert.equal(res.status, 426);
    assert.equal(res.fields.get('upgrade'), 'websocket');
  });

  it('refuses another version with curl: 426 naming version 13', async () => {
    const res = await curl(
      running.port,
      '/',
      ...['-H', 'Upgrade: websocket', '-H', 'Connection: Upgrade'],
      ...['-H', `Sec-WebSocket-Key: ${RFC_KEY}`, '-H', 'Sec-WebSocket-Version: 7'],
    );
    assert.equal(res.status, 426);
    assert.equal(res.fields.get('sec-websocket-version'), '13');
  });

  it("chooses the first of the client's subprotocols the server speaks", async () => {
    const chosen = async (offer: string): Promise<string | undefined> => {
      const client = await RawClient.open(running.port, '/chat', { 'Sec-WebSocket-Protocol': offer });
      client.destroy();
      return /^Sec-WebSocket-Protocol: (.*)$/im.exec(client.head)?.[1];
    };
    assert.equal(await chosen('chat, superchat'), 'chat');
    assert.equal(await chosen('other, superchat'), 'superchat');
    assert.equal(await chosen('other'), undefined);
    const ws = EchoHandler.sockets.at(-3)!;
    assert.equal(ws.protocol, 'chat');
    assert.equal(ws.url, '/chat');
  });
});

for (const logFormat of ['json', 'common'] as LogFormat[]) {
  it(`logs a 101 once with the file server's ${logFormat} access log`, async () => {
    class Files extends SimpleHTTPRequestHandler.with({ logFormat }) {
      override doGET(): void {
        const ws = this.acceptWebSocket({ idleTimeout: 0 });
        ws.onmessage = (e) => ws.send(e.data);
      }
    }
    const running = await startServer(Files);
    try {
      const client = await RawClient.open(running.port, '/ws');
      assert.match(client.head, /^HTTP\/1\.1 101 /);
      client.destroy();
      // Once the server has seen the close (the taken-over connection is still counted till then), all
      // it logs about the connection is written.
      await eventually(() => running.server.connections.size === 0, 'the server to see the client leave');
      running.server.flushLog();
      const lines = running.log.filter((l) => l.includes('101'));
      assert.equal(lines.length, 1, running.log.join('\n'));
      assert.match(lines[0]!, logFormat === 'json' ? /"status":101/ : /"GET \/ws HTTP\/1\.1" 101 /);
    } finally {
      await running.close();
    }
  });
}
