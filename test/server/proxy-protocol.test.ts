import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BaseHTTPRequestHandler, CGIHTTPRequestHandler, HTTPServer, HTTPSServer } from '../../src/index.js';
import { makeCertificate } from '../helpers/certificate.js';
import { exchangeRaw, parseResponses, shutdownWithin, withServer } from '../helpers/server.js';
import { accepted } from '../helpers/wait.js';

const run = promisify(execFile);

/** Answers with the client address it was given, host and port. */
class WhoAmI extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from(`${this.clientAddress[0]} ${this.clientAddress[1]}`);
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
}

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** The 4 or 16 bytes of an IPv4 or IPv6 address. */
function addressBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head, tail] = address.split('::').map((part) => (part === '' ? [] : part.split(':')));
  const groups =
    tail === undefined
      ? head!
      : [...head!, ...Array<string>(8 - head!.length - tail.length).fill('0'), ...tail];
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/** A v2 PROXY header for a TCP client at `source` (IPv4 or IPv6) reaching `destination`:443, with TLVs. */
function v2(source: string, sourcePort: number, destination: string, tlvs = Buffer.alloc(0)): Buffer {
  const six = net.isIPv6(source);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sourcePort);
  ports.writeUInt16BE(443, 2);
  const block = Buffer.concat([addressBytes(source), addressBytes(destination), ports, tlvs]);
  const head = Buffer.from([0x21, six ? 0x21 : 0x11, 0, 0]);
  head.writeUInt16BE(block.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, block]);
}

const GET = 'GET / HTTP/1.1\r\nHost: t\r\n\r\n';
const GET_CLOSE = 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';

/** The bodies of the responses to what was sent, and whether the server closed without a byte. */
async function send(
  port: number,
  data: string | Buffer | Array<string | Buffer>,
): Promise<{ bodies: string[]; unanswered: boolean }> {
  // Every exchange here ends with the server's close (Connection: close, or a refusal): wait for it, not for
  // a quiet second, which a CGI script started on a loaded machine can outlast.
  const r = await exchangeRaw(port, data, { untilClose: true });
  if (r.bytes.length === 0) return { bodies: [], unanswered: r.closed };
  return { bodies: parseResponses(r.bytes).map((x) => x.body.toString()), unanswered: false };
}

const PROXIED = { trustProxy: ['127.0.0.1'], proxyProtocol: true };

describe('proxyProtocol', () => {
  it('v1 from curl --haproxy-protocol is read, then the request', async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const curl = await run('curl', ['-sS', '--haproxy-protocol', `http://127.0.0.1:${s.port}/`]);
      assert.match(curl.stdout, /^127\.0\.0\.1 \d+$/);
    });
    await withServer(WhoAmI, {}, async (s) => {
      const curl = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--haproxy-protocol',
        `http://127.0.0.1:${s.port}/`,
      ]).catch((e: { stdout: string }) => e);
      assert.equal(curl.stdout, '400', 'without the option, the PROXY line is a bad request');
    });
  });

  it("the header's client is clientAddress and the log's host, for every request on the connection", async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const r = await send(s.port, `PROXY TCP4 203.0.113.9 10.0.0.2 51234 80\r\n${GET}${GET_CLOSE}`);
      assert.deepEqual(r.bodies, ['203.0.113.9 51234', '203.0.113.9 51234']);
      const six = await send(
        s.port,
        Buffer.concat([v2('2001:db8::42', 4000, '2001:db8::1'), Buffer.from(GET_CLOSE)]),
      );
      assert.deepEqual(six.bodies, ['2001:db8::42 4000']);
      s.server.flushLog();
      assert.ok(
        s.log.some((l) => l.startsWith('203.0.113.9 - - [')),
        s.log.join('\n'),
      );
      assert.ok(
        s.log.some((l) => l.startsWith('2001:db8::42 - - [')),
        s.log.join('\n'),
      );
    });
  });

  it('a header split across many writes, with TLVs, is read whole; the request after it is untouched', async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const tlvs = Buffer.from([0x02, 0, 11, ...Buffer.from('example.com'), 0x04, 0, 2, 0, 0]);
      const bytes = Buffer.concat([v2('198.51.100.7', 6000, '10.0.0.2', tlvs), Buffer.from(GET_CLOSE)]);
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 5) pieces.push(bytes.subarray(i, i + 5));
      assert.deepEqual((await send(s.port, pieces)).bodies, ['198.51.100.7 6000']);
    });
  });

  it('LOCAL (v2) and UNKNOWN (v1) keep the peer as the client', async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const local = Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0, 0]), Buffer.from(GET_CLOSE)]);
      assert.match((await send(s.port, local)).bodies[0]!, /^127\.0\.0\.1 \d+$/);
      assert.match((await send(s.port, `PROXY UNKNOWN\r\n${GET_CLOSE}`)).bodies[0]!, /^127\.0\.0\.1 \d+$/);
    });
  });

  it('forwarding headers still count when the header names a trusted proxy (an L7 proxy behind an L4 one)', async () => {
    await withServer(WhoAmI, { trustProxy: ['127.0.0.1', '10.0.0.0/8'], proxyProtocol: true }, async (s) => {
      const r = await send(
        s.port,
        `PROXY TCP4 10.0.0.5 10.0.0.2 7000 80\r\nGET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.7\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(r.bodies, ['198.51.100.7 0']);
      const forged = await send(
        s.port,
        `PROXY TCP4 203.0.113.9 10.0.0.2 7000 80\r\nGET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.7\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(forged.bodies, ['203.0.113.9 7000'], 'a client that is no proxy cannot forward');
    });
  });

  it('no header, a malformed one, or a peer that is not trusted: closed without an answer, and logged', async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      for (const bad of [
        GET,
        `PROXY TCP4 203.0.113.9 10.0.0.2 51234 080\r\n${GET}`,
        `PROXY TCP4 203.0.113.9 10.0.0.2 51234 80\n${GET}`,
        Buffer.concat([
          V2_SIGNATURE,
          Buffer.from([0x21, 0x11, 0, 17]),
          Buffer.alloc(12),
          Buffer.from([1, 0, 9, 1, 2]),
        ]),
      ]) {
        assert.deepEqual(await send(s.port, bad), { bodies: [], unanswered: true }, String(bad));
      }
      s.server.flushLog();
      assert.ok(s.log.some((l) => l === 'PROXY header from 127.0.0.1 refused: not a PROXY protocol header'));
      assert.ok(s.log.some((l) => l.startsWith('PROXY header from 127.0.0.1 refused: malformed v1 port')));
      assert.ok(s.log.some((l) => l.includes('v2 TLV runs past the header')));
    });
    await withServer(WhoAmI, { trustProxy: ['10.0.0.0/8'], proxyProtocol: true }, async (s) => {
      const r = await send(s.port, `PROXY TCP4 203.0.113.9 10.0.0.2 51234 80\r\n${GET}`);
      assert.deepEqual(r, { bodies: [], unanswered: true });
      s.server.flushLog();
      assert.deepEqual(s.log, ['PROXY header from 127.0.0.1 refused: not a trusted proxy']);
    });
  });

  it('a header that does not arrive within the headers timeout closes the connection; the server serves on', async () => {
    await withServer(WhoAmI, { ...PROXIED, headersTimeout: 300 }, async (s) => {
      for (const partial of ['', 'PROXY TCP4 203.0.113.9']) {
        const closed = await new Promise<string>((resolve) => {
          const socket = net.connect(s.port, '127.0.0.1', () => socket.write(partial));
          let text = '';
          socket.on('data', (d: Buffer) => (text += d.toString()));
          socket.on('close', () => resolve(`closed: ${JSON.stringify(text)}`));
          socket.on('error', () => {});
          setTimeout(() => resolve('still open'), 5000).unref();
        });
        assert.equal(closed, 'closed: ""', JSON.stringify(partial));
      }
      s.server.flushLog();
      assert.ok(s.log.some((l) => l.endsWith('refused: no PROXY header within the headers timeout')));
      assert.deepEqual((await send(s.port, `PROXY UNKNOWN\r\n${GET_CLOSE}`)).bodies.length, 1);
    });
  });

  it('shutdown() waits for a connection whose header is on its way, and answers its request', async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write('PROXY TCP4 203.0.113.9 ');
      await accepted(s.server.listener);
      const stopped = s.server.shutdown(5000);
      let text = '';
      let answeredBeforeStop = false;
      void stopped.then(() => (answeredBeforeStop = text !== ''));
      socket.on('data', (d: Buffer) => (text += d.toString()));
      const closed = new Promise((r) => socket.once('close', r));
      socket.write(`10.0.0.2 51234 80\r\n${GET}`);
      await closed;
      await stopped;
      assert.ok(answeredBeforeStop, 'shutdown() resolved before the request was answered');
      const [res] = parseResponses(Buffer.from(text, 'latin1'));
      assert.equal(res!.body.toString(), '203.0.113.9 51234');
      assert.deepEqual(res!.headers.get('connection'), ['close']);
    });
  });

  it("shutdown()'s deadline closes a connection whose header never comes (not the headers timeout)", async () => {
    await withServer(WhoAmI, PROXIED, async (s) => {
      const socket = net.connect(s.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write('PROXY TCP4 203.0.113.9 ');
      await accepted(s.server.listener);
      const closed = new Promise((r) => socket.once('close', r));
      assert.equal(await shutdownWithin(s.server, 200), 'stopped');
      await closed;
    });
  });

  it("CGI scripts see the header's client as REMOTE_ADDR", async () => {
    const root = mkdtempSync(join(tmpdir(), 'basehttp-proxy-cgi-'));
    mkdirSync(join(root, 'cgi-bin'));
    writeFileSync(
      join(root, 'cgi-bin', 'addr.sh'),
      '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\n$REMOTE_ADDR"\n',
    );
    chmodSync(join(root, 'cgi-bin', 'addr.sh'), 0o755);
    await withServer(CGIHTTPRequestHandler.with({ directory: root }), PROXIED, async (s) => {
      const r = await send(
        s.port,
        `PROXY TCP6 2001:db8::9 2001:db8::1 5000 80\r\nGET /cgi-bin/addr.sh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`,
      );
      assert.deepEqual(r.bodies, ['2001:db8::9']);
    });
  });

  it('needs trustProxy', () => {
    assert.throws(() => new HTTPServer({ port: 0 }, WhoAmI, { proxyProtocol: true }), /needs trustProxy/);
  });
});

describe('proxyProtocol over HTTPS', () => {
  const { cert, key } = makeCertificate();

  it('the header comes before the TLS handshake: curl --haproxy-protocol, and a v2 header from a TLS client', async () => {
    const server = new HTTPSServer({ host: '127.0.0.1', port: 0 }, WhoAmI, {
      certfile: cert,
      keyfile: key,
      logStream: null,
      ...PROXIED,
    });
    await server.listen();
    const serving = server.serveForever();
    try {
      const port = server.serverPort;
      const curl = await run('curl', [
        '-sS',
        '--haproxy-protocol',
        '--cacert',
        cert,
        `https://localhost:${port}/`,
      ]);
      assert.match(curl.stdout, /^127\.0\.0\.1 \d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const raw = net.connect(port, '127.0.0.1', () => {
          raw.write(v2('192.0.2.44', 5555, '10.0.0.2'));
          const socket = tls.connect({ socket: raw, servername: 'localhost', ca: readFileSync(cert) }, () =>
            socket.write(GET_CLOSE),
          );
          let text = '';
          socket.on('data', (d: Buffer) => (text += d.toString()));
          socket.on('end', () => resolve(parseResponses(Buffer.from(text, 'latin1'))[0]!.body.toString()));
          socket.on('error', reject);
        });
      });
      assert.equal(body, '192.0.2.44 5555');
      const plain = await run('curl', ['-sS', '--cacert', cert, `https://localhost:${port}/`]).catch(
        () => 'refused',
      );
      assert.equal(plain, 'refused', 'a TLS client without the header is dropped');
      // One that leaves mid-handshake, after its header, is closed at once: shutdown() does not wait on it.
      await new Promise((resolve) => {
        const raw = net.connect(port, '127.0.0.1', () => {
          raw.write('PROXY TCP4 192.0.2.45 10.0.0.2 5556 443\r\n');
          const socket = tls.connect({ socket: raw, servername: 'localhost', ca: readFileSync(cert) }, () =>
            socket.destroy(),
          );
          socket.on('close', resolve);
          socket.on('error', () => {});
        });
      });
      assert.equal(await shutdownWithin(server, 5000), 'stopped');
    } finally {
      await server.shutdown(500);
      await serving;
    }
  });
});

describe('basehttp --proxy-protocol', () => {
  const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

  it('needs --trust-proxy (exit 2); with it, curl --haproxy-protocol is served and plain curl is not', async () => {
    const usage = await run(process.execPath, [MAIN, '--proxy-protocol', '0']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal((usage as { code: number }).code, 2);
    assert.match((usage as { stderr: string }).stderr, /--proxy-protocol needs --trust-proxy/);
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-proxy-cli-'));
    writeFileSync(join(dir, 'a.txt'), 'behind a load balancer\n');
    const child = spawn(
      process.execPath,
      [MAIN, '-b', '127.0.0.1', '-d', dir, '--trust-proxy', '127.0.0.1', '--proxy-protocol', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = / port (\d+) /.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const ok = await run('curl', ['-sS', '--haproxy-protocol', `http://127.0.0.1:${port}/a.txt`]);
      assert.equal(ok.stdout, 'behind a load balancer\n');
      const plain = await run('curl', ['-sS', `http://127.0.0.1:${port}/a.txt`]).catch(
        (e: { code: number }) => e,
      );
      assert.equal((plain as { code: number }).code, 52, 'curl: empty reply from server');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
