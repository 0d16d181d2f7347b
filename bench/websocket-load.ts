/**
 * The WebSocket load generator of `bench/websocket.ts`, in its own process (pinned to core 1) so that the
 * servers are measured against the same client and the client's work never lands on the server's core.
 * Raw sockets, no WebSocket library: each connection sends a hand-written upgrade request, then writes
 * pre-built masked frames and only parses the echoed frames' headers, so the client does a fraction of the
 * server's work per message.
 *
 * - `echo <port> <connections> <window> <bytes> <warmupMs> <ms>`: every connection keeps `window` text
 *   messages of `bytes` in flight (sends as many as were echoed); prints `start` when the measured window
 *   begins and then one JSON line `{ messages, seconds, cpuSeconds }` (echoed frames counted over it).
 * - `idle <port> <count>`: opens `count` WebSockets, 200 at a time, prints `open <n>` once every handshake is
 *   answered, then holds them until stdin closes.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

const [mode, portText, ...rest] = process.argv.slice(2);
const port = Number(portText);

/** The upgrade request a browser would send, with a fresh key. */
function upgradeRequest(): string {
  return (
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** A masked client text frame carrying `payload` (< 126 bytes), as RFC 6455 §5.2 lays it out. */
function maskedTextFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/**
 * Opens one WebSocket and resolves with the socket and the bytes that came after the 101 head; rejects when
 * the server answers anything but 101.
 */
function openWebSocket(): Promise<{ socket: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const status = head.subarray(0, 12).toString('latin1');
      if (status !== 'HTTP/1.1 101') {
        socket.destroy();
        reject(new Error(`upgrade refused: ${head.subarray(0, end).toString('latin1')}`));
        return;
      }
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(upgradeRequest());
  });
}

/**
 * Counts the complete frames in a server's byte stream (unmasked, any length), keeping a partial frame's
 * bytes for the next chunk.
 */
class FrameCounter {
  private pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still to skip of a frame whose header was already counted. */
  private skip = 0;

  /** The frames completed by `chunk`. */
  count(chunk: Buffer): number {
    let data = chunk;
    if (this.pending.length > 0) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = Buffer.alloc(0);
    }
    let at = 0;
    let frames = 0;
    if (this.skip > 0) {
      const taken = Math.min(this.skip, data.length);
      this.skip -= taken;
      at = taken;
      if (this.skip > 0) return 0;
      frames++;
    }
    while (at + 2 <= data.length) {
      const short = data[at + 1]! & 0x7f;
      let header = 2;
      let length = short;
      if (short === 126) {
        if (at + 4 > data.length) break;
        header = 4;
        length = data.readUInt16BE(at + 2);
      } else if (short === 127) {
        if (at + 10 > data.length) break;
        header = 10;
        length = Number(data.readBigUInt64BE(at + 2));
      }
      const end = at + header + length;
      if (end > data.length) {
        this.skip = end - data.length;
        return frames;
      }
      at = end;
      frames++;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
    return frames;
  }
}

function cpuSecondsOfThisProcess(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function echo(connections: number, window: number, bytes: number, warmupMs: number, ms: number) {
  const frame = maskedTextFrame(Buffer.alloc(bytes, 'x'));
  const batch = Buffer.concat(Array.from({ length: window }, () => frame));
  const opened = await Promise.all(Array.from({ length: connections }, () => openWebSocket()));
  let echoed = 0;
  for (const { socket, rest } of opened) {
    const counter = new FrameCounter();
    const onData = (chunk: Buffer): void => {
      const n = counter.count(chunk);
      if (n === 0) return;
      echoed += n;
      socket.write(n === window ? batch : batch.subarray(0, n * frame.length));
    };
    socket.on('data', onData);
    socket.on('error', (err) => {
      console.error(`load: ${err.message}`);
      process.exit(1);
    });
    if (rest.length > 0) onData(rest);
    socket.write(batch);
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  const startCount = echoed;
  const startCpu = cpuSecondsOfThisProcess();
  const started = performance.now();
  console.log('start');
  await new Promise((r) => setTimeout(r, ms));
  const seconds = (performance.now() - started) / 1000;
  const messages = echoed - startCount;
  const cpuSeconds = cpuSecondsOfThisProcess() - startCpu;
  console.log(JSON.stringify({ messages, seconds, cpuSeconds }));
  for (const { socket } of opened) socket.destroy();
}

async function idle(count: number): Promise<void> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i += 200) {
    const opened = await Promise.all(Array.from({ length: Math.min(200, count - i) }, () => openWebSocket()));
    for (const { socket } of opened) {
      socket.on('error', () => {});
      sockets.push(socket);
    }
  }
  console.log(`open ${sockets.filter((s) => !s.destroyed).length}`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  });
}

if (mode === 'echo') {
  const [connections, window, bytes, warmupMs, ms] = rest.map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  await echo(connections, window, bytes, warmupMs, ms);
} else if (mode === 'idle') {
  await idle(Number(rest[0]));
} else {
  console.error(
    'usage: websocket-load.js echo <port> <connections> <window> <bytes> <warmupMs> <ms> | idle <port> <count>',
  );
  process.exit(2);
}
