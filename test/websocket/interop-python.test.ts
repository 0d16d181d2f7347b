import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '../helpers/wait.js';
import { serverForSuite } from '../helpers/server.js';
import { interopHandler } from './interop-server.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../test/websocket/interop_python.py', import.meta.url));
/** Debian's python3 with python3-websockets; the pyenv python3 on PATH has no websockets. */
const PYTHON = '/usr/bin/python3';

describe("interop: Python's websockets client against acceptWebSocket()", () => {
  const { Handler, closes } = interopHandler({ protocols: ['chat.v2', 'chat.v1'], compress: true });
  const running = serverForSuite(Handler);
  const client = async (scenario: string): Promise<Record<string, unknown>> => {
    const { stdout } = await run(PYTHON, [SCRIPT, scenario, `ws://127.0.0.1:${running.port}`], {
      timeout: 20_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it('echoes text, binary and a 1 MiB message', async () => {
    assert.deepEqual(await client('echo'), {
      text: 'héllo ✓',
      binary: [0, 255, 1, 254],
      binaryType: 'bytes',
      bigEqual: true,
      bigLength: 1024 * 1024,
    });
  });

  it('answers its ping', async () => {
    assert.deepEqual(await client('ping'), { pong: true });
  });

  it('completes the close handshake it starts, with its code and reason', async () => {
    const before = closes.length;
    assert.equal((await client('close'))['code'], 4000); // the server's answer repeats the code
    await eventually(() => closes.length > before, 'closes.length > before');
    assert.deepEqual(closes.slice(before), [
      { path: '/echo', code: 4000, reason: 'done here', wasClean: true },
    ]);
  });

  it("delivers the server's application close code and reason", async () => {
    assert.deepEqual(await client('server-close'), { code: 4321, reason: 'app says bye' });
  });

  it("chooses the first of the client's subprotocols the server speaks", async () => {
    const { client: chosen, server } = (await client('subprotocol')) as {
      client: string;
      server: { protocol: string };
    };
    assert.equal(chosen, 'chat.v1');
    assert.equal(server.protocol, 'chat.v1');
  });

  it('negotiates permessage-deflate and round-trips compressed messages', async () => {
    const { extensions, echoed } = (await client('compression')) as { extensions: string; echoed: boolean[] };
    assert.match(extensions, /^permessage-deflate/);
    assert.deepEqual(echoed, [true, true, true, true]);
  });
});
