/** `basehttp get URL`: a small curl-like command on the pooled client. */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { ConnectionFailed, TimeoutError } from '../client/errors.js';
import { closeAllPools, request, type ClientResponse } from '../client/request.js';

export const GET_USAGE = `usage: basehttp get [options] URL

options:
  -X, --request METHOD     request method (default GET, or POST with -d)
  -H, --header "N: v"      add a request header (repeatable)
  -d, --data DATA          send DATA as the body (form-encoded unless -H sets a Content-Type)
      --data-binary DATA   send DATA as it is; @FILE sends the bytes of FILE
  -o, --output FILE        write the body to FILE (a progress bar on a terminal)
  -I, --head               HEAD request: show the response head only
  -i, --include            show the response head before the body
  -v, --verbose            show the request and response heads on stderr
  -L, --location           follow redirects (up to 10)
      --compressed         ask for gzip/br/deflate and decode it
  -k, --insecure           do not verify the TLS certificate
      --fail               no body and exit 22 on HTTP errors (4xx, 5xx)
  -m, --max-time SECONDS   give up after SECONDS of silence from the server (default 30)
  -h, --help               show this help
`;

/** What went wrong, as curl reports it: for a failed connection, its socket's error (the cause). */
function failureOf(err: unknown): Error {
  return (err instanceof ConnectionFailed ? err.cause : err) as Error;
}

/** Exit statuses, as curl's: unknown host 6, refused 7, HTTP error with --fail 22, timeout 28, bad certificate 60. */
function exitCodeFor(err: unknown): number {
  const code = String((failureOf(err) as NodeJS.ErrnoException).code ?? '');
  if (err instanceof TimeoutError) return 28;
  if (code === 'ECONNREFUSED') return 7;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 6;
  if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(code)) return 60;
  return 1;
}

function headText(res: ClientResponse): string {
  let text = `HTTP/${res.version === 10 ? '1.0' : '1.1'} ${res.status} ${res.statusText}\r\n`;
  for (const [name, value] of res.headers) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

/** A head as `-v` shows it: each line after `prefix`, without the CRs. */
function traced(head: string, prefix: string): string {
  return head
    .replace(/\r\n\r\n$/, '\r\n')
    .replace(/\r/g, '')
    .replace(/^/gm, prefix);
}

function usageError(message: string): number {
  process.stderr.write(`${GET_USAGE.split('\n')[0]}\nbasehttp get: error: ${message}\n`);
  return 2;
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
    return usageError((err as Error).message);
  }
  const flags = parsed.values;
  if (flags.help) {
    process.stdout.write(GET_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) return usageError('one URL is required');
  const url = parsed.positionals[0]!;
  const headers: Record<string, string> = {};
  for (const field of flags.header ?? []) {
    const colon = field.indexOf(':');
    if (colon <= 0) return usageError(`bad header '${field}' (expected "Name: value")`);
    headers[field.slice(0, colon).trim()] = field.slice(colon + 1).trim();
  }
  const timeout = flags['max-time'] === undefined ? 30_000 : Number(flags['max-time']) * 1000;
  if (!(timeout > 0)) return usageError(`bad --max-time '${flags['max-time']}' (expected seconds)`);
  try {
    const binary = flags['data-binary'];
    const body =
      binary !== undefined
        ? binary.startsWith('@')
          ? readFileSync(binary.slice(1))
          : binary
        : (flags.data ?? null);
    if (
      flags.data !== undefined &&
      !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
    ) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    const method = flags.head ? 'HEAD' : (flags.request ?? (body === null ? 'GET' : 'POST'));
    const res = await request(url, {
      method,
      headers,
      body,
      maxRedirects: flags.location ? 10 : 0,
      decompress: flags.compressed ?? false,
      pool: { timeout, tls: { rejectUnauthorized: !flags.insecure } },
      trace: flags.verbose ? (head) => process.stderr.write(`${traced(head, '> ')}\n`) : undefined,
    });
    if (flags.verbose) process.stderr.write(`${traced(headText(res), '< ')}\n`);
    if (flags.fail && res.status >= 400) {
      process.stderr.write(`basehttp get: the server answered ${res.status} ${res.statusText}\n`);
      return 22;
    }
    if (flags.include || flags.head) process.stdout.write(headText(res));
    if (flags.output !== undefined) await download(res, flags.output, flags.compressed ?? false);
    else
      for await (const piece of res.body)
        if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
    return 0;
  } catch (err) {
    process.stderr.write(`basehttp get: ${failureOf(err).message}\n`);
    return exitCodeFor(err);
  } finally {
    closeAllPools();
  }
}

/** `1.5 MiB`-style sizes for the progress bar. */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/**
 * One line of the progress bar: with a known length, percent, a bar, bytes, rate and time left; without one,
 * bytes and rate.
 */
export function progressLine(received: number, total: number | null, seconds: number): string {
  const rate = received / Math.max(seconds, 0.001);
  const speed = `${size(Math.round(rate))}/s`;
  if (total === null || total <= 0) return `${size(received)}  ${speed}`;
  const done = Math.min(received / total, 1);
  const filled = Math.round(done * 20);
  const left = rate > 0 ? Math.ceil((total - received) / rate) : NaN;
  const eta = Number.isFinite(left) ? `ETA ${left} s` : 'ETA --';
  return `${String(Math.floor(done * 100)).padStart(3)}% [${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${size(received)} / ${size(total)}  ${speed}  ${eta}`;
}

/** Writes the body to a file; on a terminal, a progress bar on stderr (redrawn at most 5 times a second). */
async function download(res: ClientResponse, path: string, decoded: boolean): Promise<void> {
  const out = createWriteStream(path);
  const length = res.headers.get('content-length');
  // A decoded body is longer than the Content-Length of the encoded one.
  const total =
    length === undefined || (decoded && res.headers.has('content-encoding')) ? null : Number(length);
  const started = Date.now();
  let received = 0;
  let shown = 0;
  const tty = process.stderr.isTTY === true;
  const show = (): void => {
    process.stderr.write(`\r${progressLine(received, total, (Date.now() - started) / 1000)}\x1b[K`);
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
