/**
 * The lines Python's `http.server` prints when it starts and when Ctrl-C stops it, word for word, so a ported
 * script, the CLI and `runServer()` all say the same (and tools that wait for the banner keep working).
 */

/** `Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...`, IPv6 in brackets in the URL. */
export function servingBanner(scheme: 'http' | 'https', host: string, port: number, detail = ''): string {
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return `Serving ${scheme.toUpperCase()} on ${host} port ${port} (${scheme}://${urlHost}:${port}/)${detail} ...\n`;
}

/** `Serving HTTP on unix socket /run/app.sock ...`: the same line for a server on a Unix socket. */
export function unixSocketBanner(scheme: 'http' | 'https', path: string): string {
  return `Serving ${scheme.toUpperCase()} on unix socket ${path} ...\n`;
}

/** What Python prints when Ctrl-C ends `serve_forever()`. */
export const KEYBOARD_INTERRUPT_LINE = '\nKeyboard interrupt received, exiting.\n';
