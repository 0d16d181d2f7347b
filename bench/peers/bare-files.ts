/**
 * The ceiling for serving files from Node: a `node:net` responder that holds every file of `--dir` in memory
 * (read once at start) and answers each `\r\n\r\n` with a fixed head and the file's bytes, parsing nothing
 * but the request target. Node has no `sendfile`, so no Node server sends a file faster than writing it from
 * memory: where this falls short of nginx's `sendfile`, so must every Node server. With `--from-disk`, a body
 * over 4 KiB is read from its file as it is sent instead (1 MiB at a time, synchronously, the next read once
 * the socket has room): the best a Node server that does not hold the file can do. The head carries the
 * header fields basehttp sends (given as JSON with `--fields`, Content-Length set per file).
 */
import { fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requestHeads } from './request-heads.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    dir: { type: 'string' },
    fields: { type: 'string' },
    'from-disk': { type: 'boolean', default: false },
  },
});
const fields = (JSON.parse(values.fields!) as Array<[string, string]>).filter(
  ([name]) => name.toLowerCase() !== 'content-length',
);
const date = new Date().toUTCString();

/** Bodies up to this size are always written from memory, in one string with their head, joined at start. */
const SMALL = 4096;
const DISK_CHUNK = 1024 * 1024;

/**
 * Each file's whole answer, by request target: the head as Latin-1 text, the size, the body when it is
 * sent from memory (else null: it is read from `fd` as it goes, and never held), and for a small body the
 * head and body as one Latin-1 string (else null).
 */
const answers = new Map<
  string,
  { head: string; size: number; body: Buffer | null; whole: string | null; fd: number }
>();
for (const name of readdirSync(values.dir!)) {
  const fd = openSync(join(values.dir!, name), 'r');
  const size = fstatSync(fd).size;
  const body = values['from-disk'] && size > SMALL ? null : readFileSync(fd);
  const lines = [`Server: bare`, `Date: ${date}`, ...fields.map(([n, v]) => `${n}: ${v}`)];
  const head = `HTTP/1.1 200 OK\r\n${lines.join('\r\n')}\r\nContent-Length: ${size}\r\n\r\n`;
  const whole = body !== null && size <= SMALL ? head + body.toString('latin1') : null;
  answers.set(`/${name}`, { head, size, body, whole, fd });
}

/** Writes `size` bytes of the file `fd` to `socket`, read as they go, pausing whenever the socket is full. */
function sendFromDisk(socket: net.Socket, fd: number, size: number, position = 0): void {
  while (position < size) {
    const chunk = Buffer.allocUnsafe(Math.min(DISK_CHUNK, size - position));
    position += readSync(fd, chunk, 0, chunk.length, position);
    if (!socket.write(chunk)) {
      socket.once('drain', () => sendFromDisk(socket, fd, size, position));
      return;
    }
  }
}
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';

net
  .createServer((socket) => {
    socket.on('error', () => {});
    // Each request's target is its second word. wrk sends the next request on a connection only when the
    // last answer is in, so a body still coming from disk is never overtaken by the next head.
    socket.on(
      'data',
      requestHeads((data, start) => {
        const space = data.indexOf(0x20, start);
        const answer = answers.get(data.toString('latin1', space + 1, data.indexOf(0x20, space + 1)));
        if (answer === undefined) {
          socket.write(NOT_FOUND, 'latin1');
        } else if (answer.body === null) {
          socket.write(answer.head, 'latin1');
          sendFromDisk(socket, answer.fd, answer.size);
        } else if (answer.whole !== null) {
          socket.write(answer.whole, 'latin1');
        } else {
          socket.cork();
          socket.write(answer.head, 'latin1');
          socket.write(answer.body);
          socket.uncork();
        }
      }),
    );
  })
  .listen(Number(values.port), '127.0.0.1');
