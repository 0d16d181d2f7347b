import { lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { SocketPathError } from './errors.js';

/** Whether a server answers on the Unix socket at `path` (a stale file left by a crash does not). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Makes `path` free for a listening Unix socket. Nothing there: fine. A socket no server answers on (left by
 * a process that died: a clean shutdown removes its own): removed. A socket a server answers on, or any other
 * kind of file: SocketPathError, and the file is left alone.
 */
export async function freeSocketPath(path: string): Promise<void> {
  const found = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (found === null) return;
  if (!found.isSocket()) throw new SocketPathError(`${path} exists and is not a socket: not removing it`);
  if (await answers(path)) throw new SocketPathError(`${path} is in use: a server is listening on it`);
  await unlink(path);
}
