/** `--open`: the default browser shown the server's URL, the way each platform's desktop opens a link. */
import { spawn } from 'node:child_process';

/** The command that opens a URL in the default browser on `platform`. */
export function browserCommand(platform: NodeJS.Platform, url: string): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  // `start` is a cmd built-in; its first quoted argument is a window title, hence the empty one.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  return ['xdg-open', [url]];
}

/**
 * Opens `url` detached, its output ignored. No opener (ENOENT: a server without a desktop) is one quiet line
 * on stderr, never an error: the server is up either way, and an opener that fails later (no DISPLAY) says
 * nothing here.
 */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [command, args] = browserCommand(platform, url);
  const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: true });
  child.once('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(`basehttp: --open: cannot start ${command} (${err.code ?? err.message})\n`);
  });
  child.unref();
}
