/**
 * The flags of `basehttp get`, declared once with curl's letters and meanings: the help and the parser follow
 * this table.
 */
import { UsageError, option, positional, repeatable, toggle } from './flags.js';
import { headerField } from './header-flag.js';

/** `--max-time`'s seconds as milliseconds: a number above zero, fractions allowed (`0.5`), as curl. */
function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) === 0)
    throw new UsageError(`expected seconds, got '${text}'`);
  return Number(text) * 1000;
}

/** `-C`'s offset: `-` (the size of the output file) or a byte count. */
function resumeOffset(text: string): '-' | number {
  if (text === '-') return '-';
  if (!/^\d+$/.test(text)) throw new UsageError(`expected - or a byte offset, got '${text}'`);
  return Number(text);
}

/** The URL, `http://` in front when it names no scheme (curl's default): `localhost:8000/x` works. */
function withScheme(text: string): string {
  return /^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `http://${text}`;
}

/** A flag's text as it is. */
const text = (given: string): string => given;

/** The one positional argument: required, though the table's positional reader allows none (checked after). */
export const URL_ARGUMENT = positional<string | null>({
  name: 'URL',
  help: 'what to fetch (http:// when no scheme is given)',
  default: null,
  parse: withScheme,
});

/** Every flag of `basehttp get`, in the order `--help` lists them. */
export const GET_FLAGS = {
  help: toggle({ short: 'h', help: 'show this help and exit' }),
  version: toggle({ short: 'V', help: "show the program's version number and exit" }),
  request: option<string | undefined>({
    short: 'X',
    value: 'METHOD',
    help: 'request method (default GET, or POST with -d)',
    default: undefined,
    parse: text,
  }),
  header: repeatable({
    short: 'H',
    value: '"Name: value"',
    help: 'add a request header (repeatable); a User-Agent given here replaces basehttp/VERSION',
    parse: (texts) => texts.map(headerField),
  }),
  data: option<string | undefined>({
    short: 'd',
    value: 'DATA',
    help: 'send DATA as the body (form-encoded unless -H sets a Content-Type); @FILE: the file, newlines dropped',
    default: undefined,
    parse: text,
  }),
  'data-binary': option<string | undefined>({
    value: 'DATA',
    help: 'send DATA as it is; @FILE sends the bytes of FILE',
    default: undefined,
    parse: text,
  }),
  output: option<string | undefined>({
    short: 'o',
    value: 'FILE',
    help: 'write the body to FILE (a progress bar on a terminal)',
    default: undefined,
    parse: text,
  }),
  'continue-at': option<'-' | number | null>({
    short: 'C',
    value: 'OFFSET',
    help: 'resume at OFFSET; - resumes where the -o FILE ends (appended on 206, rewritten on 200)',
    default: null,
    parse: resumeOffset,
  }),
  head: toggle({ short: 'I', help: 'HEAD request: show the response head only' }),
  include: toggle({ short: 'i', help: 'show the response head before the body' }),
  verbose: toggle({ short: 'v', help: 'show the request and response heads on stderr' }),
  silent: toggle({ short: 's', help: 'no progress bar and no error messages' }),
  'show-error': toggle({ short: 'S', help: 'with -s, still show error messages' }),
  location: toggle({ short: 'L', help: 'follow redirects (up to 10)' }),
  compressed: toggle({ help: 'ask for gzip/br/deflate and decode it' }),
  insecure: toggle({ short: 'k', help: 'do not verify the TLS certificate' }),
  cacert: option<string | undefined>({
    value: 'FILE',
    help: 'trust the CA certificates (PEM) in FILE instead of the bundled ones',
    default: undefined,
    parse: text,
  }),
  proxy: option<string | undefined>({
    short: 'x',
    value: 'URL',
    help: 'go through this HTTP proxy (default: $http_proxy, $https_proxy, $all_proxy; "" for none)',
    default: undefined,
    parse: text,
  }),
  noproxy: option<string | undefined>({
    value: 'LIST',
    help: 'hosts that bypass the proxy (default: $no_proxy): names, .domains, IPs, CIDRs, host:port, *',
    default: undefined,
    parse: text,
  }),
  'unix-socket': option<string | undefined>({
    value: 'PATH',
    help: "connect to this Unix domain socket instead of the URL's host and port",
    default: undefined,
    parse: text,
  }),
  fail: toggle({ help: 'no body and exit 22 on HTTP errors (4xx, 5xx)' }),
  'max-time': option<number | null>({
    short: 'm',
    value: 'SECONDS',
    help: 'give up when the whole transfer takes longer than SECONDS (exit 28)',
    default: null,
    parse: seconds,
  }),
};
