/** `basehttp get URL`: a small curl-like command on the pooled client. */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { ConnectionFailed, ProxyError, TimeoutError } from '../client/errors.js';
import { noProxyFromEnv } from '../client/proxy.js';
import { closeAllPools, request, type ClientResponse } from '../client/request.js';
import { UsageError, flagLabel, helpLine, readFlags, type FlagValues } from './flags.js';
import { GET_FLAGS, URL_ARGUMENT } from './get-flags.js';
import { packageVersion } from './version.js';

/** The labels' column in the help. */
const LABEL_WIDTH = 26;

export const GET_USAGE = `usage: basehttp get [options] URL

positional arguments:
${helpLine(URL_ARGUMENT.name, URL_ARGUMENT.help, LABEL_WIDTH)}

options:
${Object.entries(GET_FLAGS)
  .map(([name, flag]) => helpLine(flagLabel(name, flag), flag.help, LABEL_WIDTH))
  .join('\n')}
`;

type GetFlags = FlagValues<typeof GET_FLAGS>;

/** Each wait on the server (connecting, the head, each piece of the body) when `--max-time` is longer or absent. */
const SILENCE_LIMIT = 30_000;

/** What went wrong, as curl reports it: for a failed connection, its socket's error (the cause). */
function failureOf(err: unknown): Error {
  return (err instanceof ConnectionFailed ? err.cause : err) as Error;
}

/**
 * Exit statuses of failed requests, as curl's: unknown host 6, refused 7, timeout 28, a proxy that refused the
 * tunnel (or answered garbage, or asked for credentials) 56, bad certificate 60. (HTTP
 * error with --fail 22, resume refused 33 and unreadable CA file 77 are returned where they are found.)
 */
function exitCodeFor(err: unknown): number {
  const code = String((failureOf(err) as NodeJS.ErrnoException).code ?? '');
  if (err instanceof TimeoutError) return 28;
  if (err instanceof ProxyError) return 56;
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

/** Whether `headers` has a field of this name, in any case. */
function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((given) => given.toLowerCase() === name);
}

/** Runs `basehttp get`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let flags: GetFlags;
  let url: string | null;
  try {
    const read = readFlags(GET_FLAGS, argv);
    if (read === 'help') {
      process.stdout.write(GET_USAGE);
      return 0;
    }
    if (read === 'version') {
      process.stdout.write(`basehttp ${packageVersion()}\n`);
      return 0;
    }
    flags = read.values;
    url = URL_ARGUMENT.read(read.positionals);
    if (flags['continue-at'] === '-' && flags.output === undefined)
      throw new UsageError('-C - needs -o FILE: the size of FILE says where to resume');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return usageError(err.message);
  }
  if (url === null) return usageError('one URL is required');
  // Errors are shown unless -s hides them (-S shows them again), as curl.
  const showErrors = !flags.silent || flags['show-error'];
  const maxTime = flags['max-time'];
  // Aborted by --max-time, or at the end: a response left unread (--fail, 416, exit 33) must not keep the
  // process alive on its connection.
  const transfer = new AbortController();
  const deadline =
    maxTime === null
      ? undefined
      : setTimeout(
          () => transfer.abort(new TimeoutError(`operation timed out after ${maxTime} ms (--max-time)`)),
          maxTime,
        );
  const fail = (message: string, code: number): number => {
    if (showErrors) process.stderr.write(`basehttp get: ${message}\n`);
    return code;
  };
  try {
    return await fetchTo(url, flags, maxTime, transfer.signal, fail);
  } catch (err) {
    return fail(failureOf(err).message, exitCodeFor(err));
  } finally {
    clearTimeout(deadline);
    transfer.abort();
    closeAllPools();
  }
}

/** The request the flags describe, its answer written where they say; returns the exit status. */
async function fetchTo(
  url: string,
  flags: GetFlags,
  maxTime: number | null,
  signal: AbortSignal,
  fail: (message: string, code: number) => number,
): Promise<number> {
  let ca: Buffer | undefined;
  try {
    ca = flags.cacert === undefined ? undefined : readFileSync(flags.cacert);
  } catch (err) {
    return fail(`cannot read the CA file: ${(err as Error).message}`, 77);
  }
  // curl's order: its own User-Agent first, then the user's headers (a User-Agent among them replaces it).
  const headers: Record<string, string> = {};
  if (!flags.header.some(([name]) => name.toLowerCase() === 'user-agent'))
    headers['User-Agent'] = `basehttp/${packageVersion()}`;
  for (const [name, value] of flags.header) headers[name] = value;
  const resume = flags['continue-at'];
  const offset =
    resume === '-' ? (statSync(flags.output!, { throwIfNoEntry: false })?.size ?? 0) : (resume ?? 0);
  // As curl, offset 0 is a plain request.
  if (offset > 0) headers['Range'] = `bytes=${offset}-`;
  const binary = flags['data-binary'];
  const data = flags.data;
  // As curl: --data-binary @FILE sends the file as it is; -d @FILE drops its carriage returns and newlines.
  const body =
    binary !== undefined
      ? binary.startsWith('@')
        ? readFileSync(binary.slice(1))
        : binary
      : data?.startsWith('@')
        ? readFileSync(data.slice(1), 'utf8').replace(/[\r\n]/g, '')
        : (data ?? null);
  if (flags.data !== undefined && !hasHeader(headers, 'content-type'))
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const method = flags.head ? 'HEAD' : (flags.request ?? (body === null ? 'GET' : 'POST'));
  const res = await request(url, {
    method,
    headers,
    body,
    signal,
    maxRedirects: flags.location ? 10 : 0,
    decompress: flags.compressed,
    // As curl: the environment's proxies by default, --proxy "" for none; NO_PROXY applies to --proxy too.
    proxy: flags.proxy ?? 'env',
    noProxy: flags.noproxy ?? noProxyFromEnv(),
    socketPath: flags['unix-socket'],
    pool: {
      // The total limit is the timer's; the per-wait one only guards against silence beyond it.
      timeout: Math.max(maxTime ?? 0, SILENCE_LIMIT),
      tls: { rejectUnauthorized: !flags.insecure, ca },
    },
    trace: flags.verbose
      ? (head, direction) => process.stderr.write(`${traced(head, direction === 'sent' ? '> ' : '< ')}\n`)
      : undefined,
  });
  if (flags.verbose) process.stderr.write(`${traced(headText(res), '< ')}\n`);
  const resumed = offset > 0 && res.status === 416;
  if (flags.fail && res.status >= 400 && !resumed)
    return fail(`the server answered ${res.status} ${res.statusText}`, 22);
  if (flags.include || flags.head) process.stdout.write(headText(res));
  // 416 to a resume: the file is complete already; curl leaves it alone and calls this success.
  if (resumed) return 0;
  let append = false;
  if (offset > 0) {
    const continues = resumesAt(res, offset);
    if (typeof continues === 'string') return fail(continues, 33);
    append = continues;
  }
  if (flags.output !== undefined) await download(res, flags.output, flags.compressed, append, !flags.silent);
  else
    for await (const piece of res.body) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
  return 0;
}

/**
 * Whether a response to `Range: bytes=OFFSET-` continues the output (206 from OFFSET: true) or replaces it
 * (200, the server ignored the range and sends everything again: false). Anything else is the reason the
 * resume failed (curl's exit 33), the output left as it was.
 */
function resumesAt(res: ClientResponse, offset: number): boolean | string {
  if (res.status === 200) return false;
  const from = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
  if (res.status === 206 && from !== undefined && Number(from) === offset) return true;
  const where = from === undefined ? '' : `, from byte ${from}`;
  return `the server did not resume at byte ${offset} (${res.status} ${res.statusText}${where})`;
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

/**
 * Writes the body to a file (after what it holds when `append`); with `progress` on a terminal, a progress bar
 * on stderr (redrawn at most 5 times a second).
 */
async function download(
  res: ClientResponse,
  path: string,
  decoded: boolean,
  append: boolean,
  progress: boolean,
): Promise<void> {
  const out = createWriteStream(path, { flags: append ? 'a' : 'w' });
  const length = res.headers.get('content-length');
  // A decoded body is longer than the Content-Length of the encoded one.
  const total =
    length === undefined || (decoded && res.headers.has('content-encoding')) ? null : Number(length);
  const started = Date.now();
  let received = 0;
  let shown = 0;
  const tty = progress && process.stderr.isTTY === true;
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
