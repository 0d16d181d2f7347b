/** `basehttp get URL`: a small curl-like command on the pooled client. */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { TimeoutError } from '../client/errors.js';
import { closeAllPools, request, type ClientResponse } from '../client/request.js';

export const GET_USAGE = `usage: basehttp get [options] URL

options:
  -X, --request METHOD     request method (default GET, or POST with -d)
  -H, --header "N: v"      add a request header (repeatable)
  -d, --data DATA          send DATA as the body; --data-binary @FILE sends a file
      --data-binary DATA   same, @FILE reads a file
  -o, --output FILE        write the body to FILE (a progress bar on a terminal)
  -I, --head               HEAD request: show the response head only
  -i, --include            show the response head before the body
  -v, --verbose            show the request and response heads on stderr
  -L, --location           follow redirects (up to 10)
      --compressed         ask for gzip/br/deflate and decode it
  -k, --insecure           do not verify the TLS certificate
      --fail               exit 22 on HTTP errors (4xx, 5xx)
  -m, --max-time SECONDS   give up after SECONDS of silence from the server (default 30)
  -h, --help               show this help
`;

/** Exit statuses, as curl's: connection refused 7, timeout 28, HTTP error with --fail 22. */
function exitCodeFor(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof TimeoutError) return 28;
  if (code === 'ECONNREFUSED') return 7;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 6;
  return 1;
}

function headText(res: ClientResponse): string {
  let text = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`;
  for (const [k, v] of res.headers) text += `${k}: ${v}\r\n`;
  return `${text}\r\n`;
}

/** Runs `basehttp get`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        request: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd' },
        'data-binary': { type: 'string' },
        output: { type: 'string', short: 'o' },
        head: { type: 'boolean', short: 'I' },
        include: { type: 'boolean', short: 'i' },
        verbose: { type: 'boolean', short: 'v' },
        location: { type: 'boolean', short: 'L' },
        compressed: { type: 'boolean' },
        insecure: { type: 'boolean', short: 'k' },
        fail: { type: 'boolean' },
        'max-time': { type: 'string', short: 'm' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${GET_USAGE.split('\n')[0]}\nbasehttp get: error: ${(err as Error).message}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(GET_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    process.stderr.write(`${GET_USAGE.split('\n')[0]}\nbasehttp get: error: one URL is required\n`);
    return 2;
  }
  const url = parsed.positionals[0]!;
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) {
      process.stderr.write(`basehttp get: error: bad header '${h}' (expected "Name: value")\n`);
      return 2;
    }
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const raw = v['data-binary'] ?? v.data;
  const body =
    raw === undefined
      ? null
      : raw.startsWith('@') && v['data-binary'] !== undefined
        ? readFileSync(raw.slice(1))
        : raw;
  if (
    body !== null &&
    v.data !== undefined &&
    !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')
  ) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const method = v.head ? 'HEAD' : (v.request ?? (body === null ? 'GET' : 'POST'));
  const timeout = v['max-time'] === undefined ? 30_000 : Number(v['max-time']) * 1000;
  try {
    if (v.verbose) {
      const target = new URL(url);
      let text = `> ${method} ${target.pathname}${target.search} HTTP/1.1\n> Host: ${target.host}\n`;
      for (const [k, val] of Object.entries(headers)) text += `> ${k}: ${val}\n`;
      process.stderr.write(`${text}>\n`);
    }
    const res = await request(url, {
      method,
      headers,
      body,
      timeout,
      maxRedirects: v.location ? 10 : 0,
      decompress: v.compressed ?? false,
      pool: { timeout, tls: { rejectUnauthorized: !v.insecure } },
    });
    if (v.verbose) process.stderr.write(headText(res).replace(/^/gm, '< ').replace(/\r/g, ''));
    if (v.include || v.head) process.stdout.write(headText(res));
    if (v.output !== undefined) await download(res, v.output);
    else
      for await (const piece of res.body)
        if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
    if (v.fail && res.status >= 400) {
      process.stderr.write(`basehttp get: the server answered ${res.status} ${res.statusText}\n`);
      return 22;
    }
    return 0;
  } catch (err) {
    process.stderr.write(`basehttp get: ${(err as Error).message}\n`);
    return exitCodeFor(err);
  } finally {
    closeAllPools();
  }
}

/** Writes the body to a file; on a terminal, a progress line with bytes, rate and time left. */
async function download(res: ClientResponse, path: string): Promise<void> {
  const out = createWriteStream(path);
  const total = Number(res.headers.get('content-length') ?? NaN);
  const started = Date.now();
  let received = 0;
  let shown = 0;
  const tty = process.stderr.isTTY === true;
  const show = (): void => {
    const secs = (Date.now() - started) / 1000 || 0.001;
    const rate = received / secs;
    const eta = Number.isFinite(total) && rate > 0 ? `, ${Math.ceil((total - received) / rate)} s left` : '';
    const pct = Number.isFinite(total) && total > 0 ? ` (${Math.floor((received / total) * 100)}%)` : '';
    process.stderr.write(
      `\r${(received / 1048576).toFixed(1)} MiB${pct} at ${(rate / 1048576).toFixed(1)} MiB/s${eta}   `,
    );
  };
  for await (const piece of res.body) {
    received += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
    if (tty && Date.now() - shown > 200) {
      shown = Date.now();
      show();
    }
  }
  out.end();
  await once(out, 'finish');
  if (tty) {
    show();
    process.stderr.write('\n');
  }
}
