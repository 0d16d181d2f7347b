import type { Writable } from 'node:stream';
import { format } from 'node:util';
import type { Exchange, TakenOverConnection } from '../connection/exchange.js';
import type { RequestBodyStream } from '../connection/request-body.js';
import { HTTPStatusError, type StatusErrorFields } from '../connection/status-error.js';
import { errorPageBytes } from './error-page.js';
import { Headers } from '../protocol/headers.js';
import {
  CONNECTION_CLOSE,
  CONNECTION_KEEP_ALIVE,
  FramingField,
  connectionTokens,
  framingField,
  lastTransferCoding,
  parseContentLength,
  statusAllowsContent,
} from '../protocol/framing.js';
import { currentHttpDate, formatHttpDate } from '../protocol/http-date.js';
import { mediaType } from '../protocol/media-type.js';
import { HeaderValueError, fieldLine, statusLine } from '../protocol/response-head.js';
import { STATUS } from '../protocol/status.js';
import { targetPath, targetQuery } from '../protocol/target-path.js';
import { VERSION } from '../version.js';
import {
  accessLine,
  jsonErrorLine,
  jsonLine,
  pythonLine,
  pythonLogDate,
  type LogFormat,
} from './access-log.js';
import { HeadersSentError, ResponseOrderError } from '../connection/response-errors.js';
import type { ClientAddress, HTTPServer } from './http-server.js';
import { readBytes } from './read-bytes.js';
import { acceptWebSocket } from './accept-websocket.js';
import type { WebSocket } from '../websocket/websocket.js';
import type { WebSocketOptions } from '../websocket/options.js';
import { implementedMethods } from './handler-methods.js';
import {
  declaredTooLarge,
  isJsonType,
  parseJson,
  readForm,
  tooLarge,
  unsupportedType,
} from './request-bodies.js';
import { errorDetail } from './error-detail.js';

/** Python's DEFAULT_ERROR_MESSAGE shape, with the same `%(name)s` placeholders. */
const DEFAULT_ERROR_MESSAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Error response</title>
</head>
<body>
<h1>Error response</h1>
<p>Error code: %(code)d</p>
<p>Message: %(message)s.</p>
<p>Error code explanation: %(code)s - %(explain)s.</p>
</body>
</html>
`;

/**
 * What the server passes to a handler's constructor. A subclass with a constructor of its own takes them and
 * passes them on whole, without naming the engine's types: `constructor(...args: HandlerArgs) { super(...args); }`.
 */
export type HandlerArgs = readonly [exchange: Exchange, clientAddress: ClientAddress, server: HTTPServer];

type MethodHandler = () => void | Promise<void>;

/**
 * Python's `BaseHTTPRequestHandler` in TypeScript naming. Subclass it and add `doGET()`, `doPOST()`, … (the
 * method name is `do` + the request method, case-sensitive). One instance handles one request. Methods may
 * be sync or async; when one returns (or its promise settles) the response is finished for it.
 *
 * Class-level settings (`protocolVersion`, `serverVersion`, `errorMessageFormat`, …) live on the prototype;
 * override them with a field in the subclass, e.g. `protocolVersion = 'HTTP/1.0'`.
 */
export class BaseHTTPRequestHandler {
  /**
   * The log line for something the server itself reports about a client, with no request to log it
   * through (a response cut at the shutdown deadline, a connection refused at the cap), in this handler
   * class's log format: Python's `host - - [date] message` here.
   */
  static serverLine(client: string, message: string): string {
    if (this.prototype.logFormat === 'json') return jsonLine(client, 'warning', message);
    return pythonLine(client, pythonLogDate(), message);
  }

  /**
   * The log's format: `python` (the default) or, for handlers that write access lines of their own (the
   * file server and the Fetch face set it, on the prototype, from their options), `common`, `combined` or
   * `json`. With `json`, error lines and the server's own lines are JSON objects too.
   */
  declare logFormat: LogFormat;
  /** No access lines (errors are still logged); the file server and the Fetch face set it from their options. */
  declare quiet: boolean;

  /** Sent in the Server header with `sysVersion`. */
  declare serverVersion: string;
  /** Node's part of the Server header (`Node.js/20.x`), as Python's `sys_version`. */
  declare sysVersion: string;
  /** The version this handler speaks; `HTTP/1.0` means one request per connection. */
  declare protocolVersion: string;
  /** Error page template: `%(code)d`, `%(code)s`, `%(message)s` and `%(explain)s` are filled in (escaped). */
  declare errorMessageFormat: string;
  /** Content-Type of the error page `errorMessageFormat` makes. */
  declare errorContentType: string;
  /** Status code → [reason phrase, explanation]. */
  declare responses: Readonly<Record<number, readonly [string, string]>>;

  /** The request method, e.g. `GET`. */
  command: string;
  /** The request path with query, as sent (absolute-form targets reduced to it). */
  path: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  requestVersion: string;
  /** The request line, for logs. */
  requestline: string;
  /** Request header fields: case-insensitive `get`, `getAll` for repeated fields, iteration in order. */
  headers: Headers;
  /** Whether the connection closes after this response; a `Connection` header sent by the handler sets it. */
  closeConnection = false;

  /** The parsed query, made on first use of `query` (most requests never ask). */
  declare private parsedQuery?: URLSearchParams;
  private headBuffer = '';
  /** The status the last `sendResponse` / `sendResponseOnly` started (access logs, rules on the status). */
  protected responseCode = 0;
  private declaredLength = -1;
  private declaredChunked = false;
  private hasConnectionField = false;
  /** Fields of the HTTPStatusError being answered, for the error page's head (then cleared). */
  private errorFields: StatusErrorFields | null = null;

  constructor(
    /** The request/response pair on the connection; the streams and framing live there. */
    readonly exchange: Exchange,
    /** `[host, port]` of the peer (the client's, behind a trusted proxy), as Python's `client_address`. */
    readonly clientAddress: ClientAddress,
    /** The server that accepted the connection: where shared state lives (`declare readonly server: AppServer`). */
    readonly server: HTTPServer,
  ) {
    const head = exchange.head;
    this.requestline = exchange.requestLine;
    if (head === null) {
      this.command = '';
      this.path = '';
      this.requestVersion = 'HTTP/1.1';
      this.headers = new Headers();
      this.closeConnection = true;
    } else {
      this.command = head.method;
      this.path = head.path;
      this.requestVersion = head.version;
      this.headers = head.headers;
    }
  }

  /**
   * The request body, de-chunked, as an async-iterable stream that ends exactly at the body's end. To read
   * a given number of bytes as Python's `rfile.read(n)` does, use `await this.readBytes(n)`: this stream's
   * `read(n)` returns null whenever fewer than n bytes happen to be buffered.
   */
  get rfile(): RequestBodyStream {
    return this.exchange.body;
  }

  /**
   * The response body stream. With no Content-Length sent it is chunked (HTTP/1.1) or ends with the
   * connection (HTTP/1.0). `write()` returns false when the client is slow: wait for 'drain' or use pipeline.
   */
  get wfile(): Writable {
    return this.exchange.responseStream;
  }

  /**
   * Python's `rfile.read(n)`: waits for exactly `size` bytes of the request body, fewer only where the body
   * ends (an empty Buffer once it has ended), so a body can be read in pieces of a known size. Rejects as
   * `for await` over `rfile` would when the body fails (the client leaves, bad chunking, `bodyTimeout`);
   * throws `ReadSizeError` for a size that is no count of bytes (NaN from a missing Content-Length).
   */
  readBytes(size: number): Promise<Buffer> {
    return readBytes(this.exchange.body, size);
  }

  /**
   * Reads the whole request body into one Buffer. Over `maxBytes` it rejects with a 413 HTTPStatusError, at
   * once when the Content-Length says so. Python: `self.rfile.read(int(self.headers['Content-Length']))`.
   */
  async readBody(maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
    const refused = declaredTooLarge(this.exchange.head?.framing, maxBytes);
    if (refused !== null) throw refused;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.rfile) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk as Buffer);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  /**
   * The request body parsed as JSON (`application/json` or a `+json` type), at most `maxBytes` (default
   * 1 MiB). Refusals are HTTPStatusErrors, answered with their status when not caught: 415 for another
   * Content-Type, 413 for a larger body, 400 for one that is not JSON.
   * Python: `json.loads(self.rfile.read(int(self.headers['Content-Length'])))`.
   */
  async readJson(maxBytes = 1024 * 1024): Promise<unknown> {
    const type = mediaType(this.headers.get('content-type'));
    if (!isJsonType(type)) throw unsupportedType(type, 'application/json');
    return parseJson(await this.readBody(maxBytes));
  }

  /**
   * The request body as a form, `application/x-www-form-urlencoded` or `multipart/form-data`: a FormData
   * whose fields are strings and whose files are `File`s (held in memory, so `maxBytes`, default 16 MiB,
   * bounds the whole body). 415 for another Content-Type, 413 for a larger body, 400 for a malformed one.
   * Python: `parse_qs(body)` for urlencoded, `cgi.FieldStorage` (gone in 3.13) for multipart. For uploads
   * too large to hold, feed `rfile` to `@fastify/busboy` yourself.
   */
  readForm(maxBytes = 16 * 1024 * 1024): Promise<FormData> {
    const refused = declaredTooLarge(this.exchange.head?.framing, maxBytes);
    if (refused !== null) return Promise.reject(refused);
    return readForm(this.rfile, this.headers.get('content-type'), maxBytes);
  }

  /**
   * The query string as URLSearchParams (`get`, `getAll`, `has`), parsed on first use.
   * Python: `parse_qs(urlparse(self.path).query)` (which, unlike this, drops blank values by default).
   */
  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(targetQuery(this.path)));
  }

  /** The path without its query or fragment, as sent (not decoded). Python: `urlparse(self.path).path`. */
  get pathname(): string {
    return targetPath(this.path);
  }

  /**
   * Aborted when the client disconnects before the response is done, with a ClientDisconnected as its
   * reason: a streaming handler (server-sent events, a long download) stops on it instead of writing to
   * nobody. The connection keeps half-closed sockets open, so a client that left is seen when the socket
   * closes, at the latest on the next write. Made on first use. Python: a `BrokenPipeError` from `wfile.write`.
   */
  get signal(): AbortSignal {
    return this.exchange.signal;
  }

  /**
   * Sends a whole JSON response: the status, `Content-Type: application/json`, an exact Content-Length and
   * the body. A value JSON cannot hold (undefined, a function, a BigInt, a cycle) throws a TypeError before
   * anything is sent. Python: `send_response(code)`, `send_header(...)` twice, `end_headers()`,
   * `wfile.write(json.dumps(value).encode())`.
   */
  sendJson(code: number, value: unknown): void {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`sendJson() cannot send ${typeof value} as JSON`);
    const body = Buffer.from(text, 'utf8');
    this.sendResponse(code);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.exchange.write(body);
  }

  /**
   * The methods this handler answers, for `Allow` on a 405 and a CORS preflight's
   * `Access-Control-Allow-Methods`: its class's `do<METHOD>` functions, inherited ones too, found once per
   * class. Override to narrow it, as the file server does for OPTIONS without CORS.
   */
  allowedMethods(): readonly string[] {
    return implementedMethods(Object.getPrototypeOf(this) as object);
  }

  /**
   * Handles the request, as Python's `handle()`: `handleOneRequest()`, and in a log format other than
   * Python's the access line once the response is done (Python's line is written as the response starts,
   * by `logRequest`). Called once by the server.
   */
  handle(): void | Promise<void> {
    const format = this.logFormat;
    if (format === 'python' || this.quiet || !this.server.logging) return this.handleOneRequest();
    const started = Date.now();
    const log = (): void =>
      this.server.log(accessLine(format, this, this.responseCode, this.exchange.bytesSent, started));
    const result = this.handleOneRequest();
    if (result === undefined) log();
    else return result.then(log);
  }

  /**
   * Dispatches to `do<command>` and finishes the response; called once by `handle()`. A method that throws
   * gets a 500 (or a closed connection when the response had started) and one log line.
   */
  handleOneRequest(): void | Promise<void> {
    const head = this.exchange.head!;
    this.closeConnection = !(head.keepAlive && this.protocolVersion >= 'HTTP/1.1');
    const method = (this as unknown as Record<string, unknown>)[methodName(this.command)];
    if (typeof method !== 'function') {
      this.unsupportedMethod();
      return this.complete();
    }
    if (head.expectContinue && !this.handleExpect100()) return this.complete();
    let result: void | Promise<void>;
    try {
      result = (method as MethodHandler).call(this);
    } catch (err) {
      this.handleException(err);
      return this.complete();
    }
    if (result !== undefined && typeof result.then === 'function') {
      return result.then(
        () => this.complete(),
        (err: unknown) => {
          this.handleException(err);
          return this.complete();
        },
      );
    }
    return this.complete();
  }

  /** Answers a method this handler has no `do<METHOD>` for: 501 as in Python; file servers answer 405. */
  unsupportedMethod(): void {
    this.sendError(501, `Unsupported method ('${this.command}')`);
  }

  /**
   * Called before dispatch when the client sent `Expect: 100-continue`. The default lets the request through
   * and sends `100 Continue` only when the handler starts reading `rfile`, so a request refused without
   * reading its body never makes the client upload it. Override to decide earlier: send an error and
   * return false to refuse, or call `sendContinue()` to invite the body at once.
   */
  handleExpect100(): boolean {
    return true;
  }

  /**
   * Takes the connection out of HTTP, for a protocol of the handler's own (node:http's 'upgrade' and
   * 'connect' events): call it after `sendResponse(101)` … `endHeaders()` (a 1xx head is sent at once), or
   * after a 2xx head answering CONNECT (a forward proxy's tunnel). The engine stops reading and timing the
   * connection; what the client sent past the request head comes back as `head`. The server still counts the
   * connection: `shutdown()` calls `onShutdown` once as it begins, and destroys the socket at its deadline.
   * Throws TakeOverError when no such head was sent or the request body is unread.
   */
  takeOverConnection(onShutdown?: () => void): TakenOverConnection {
    if (this.headBuffer !== '') this.endHeaders();
    return this.exchange.takeOver(onShutdown ?? null);
  }

  /**
   * Accepts a WebSocket handshake (RFC 6455) in `doGET`: checks the request, answers `101 Switching
   * Protocols` (with the subprotocol chosen from `options.protocols` and permessage-deflate when
   * `options.compress` allows it), and returns the open socket; its 'open' event follows on a microtask, so
   * set listeners at once. The handler may return right away. A request that is no valid handshake throws
   * WebSocketHandshakeError, answered with 400, or 426 with the fields that say what to send instead.
   */
  acceptWebSocket(options?: WebSocketOptions): WebSocket {
    return acceptWebSocket(this, options);
  }

  /** Sends the interim `100 Continue` now, if the client waits for one. */
  sendContinue(): void {
    this.exchange.sendContinue();
  }

  /** Answers a request the protocol layer refused (bad syntax, limits, timeouts) with the error page. */
  refuse(error: HTTPStatusError): void {
    this.sendError(error.status, error.message);
  }

  /**
   * Answers an error the handler threw: its status for an HTTPStatusError, else a 500 and the stack in the
   * log; a response that already started is cut instead (the connection closes).
   */
  protected handleException(err: unknown): void {
    const exchange = this.exchange;
    if (exchange.aborted) return;
    const status = err instanceof HTTPStatusError ? err.status : 500;
    if (status === 500) {
      this.logError('Exception in %s handler: %s', this.command, errorDetail(err));
    }
    if (exchange.takenOver) return;
    if (exchange.switchedProtocols) {
      exchange.fail();
      return;
    }
    if (!exchange.headCommitted) {
      this.headBuffer = '';
      this.hasConnectionField = false;
      this.declaredLength = -1;
      this.declaredChunked = false;
      if (err instanceof HTTPStatusError && err.fields.length > 0) this.errorFields = err.fields;
      this.sendError(status, err instanceof HTTPStatusError ? err.message : undefined);
      this.errorFields = null;
    } else {
      exchange.fail();
    }
  }

  /** After the method returned: make sure a complete response went out. */
  protected complete(): void | Promise<void> {
    const exchange = this.exchange;
    if (exchange.aborted || exchange.ended) return;
    if (exchange.switchedProtocols) {
      this.logError(
        '%s handler sent 101 Switching Protocols but did not take the connection over',
        this.command,
      );
      exchange.fail();
      return;
    }
    if (!exchange.headCommitted) {
      if (this.headBuffer !== '') {
        this.endHeaders();
      } else if (exchange.bodyError !== null) {
        // The body failed (bad chunking, a stalled client) and the handler gave up: that is the answer.
        this.sendError(exchange.bodyError.status, exchange.bodyError.message);
      } else {
        this.logError('%s handler sent no response', this.command);
        this.sendError(500, 'Handler sent no response');
      }
    }
    // As in Python, `closeConnection` set after the head went out still closes once this response is done.
    if (this.closeConnection) exchange.closeAfterResponse();
    const settled = exchange.settleResponseStream();
    if (settled === undefined) return this.checkFraming();
    return settled.then(() => this.checkFraming());
  }

  /** One log line for a body that broke its Content-Length: the client sees only a closed connection. */
  private checkFraming(): void {
    const problem = this.exchange.framingProblem();
    if (problem !== null) this.logError('%s handler: %s', this.command, problem);
  }

  /** Starts a response: status line, `Server` and `Date` headers, and the request's log line. */
  sendResponse(code: number, message?: string): void {
    this.logRequest(code);
    this.sendResponseOnly(code, message);
    if (this.sendHeader !== baseSendHeader || this.dateTimeString !== baseDateTimeString) {
      this.sendHeader('Server', this.versionString());
      this.sendHeader('Date', this.dateTimeString());
      return;
    }
    // Neither is overridden: the same two lines go out with every response, so they are built once (the
    // Server value is still checked, once, by fieldLine) and reused.
    const version = this.versionString();
    if (version !== serverLineFor) {
      serverLine = fieldLine('Server', version);
      serverLineFor = version;
    }
    const date = currentHttpDate();
    if (date !== dateLineFor) {
      dateLine = `Date: ${date}\r\n`;
      dateLineFor = date;
    }
    this.headBuffer += serverLine + dateLine;
  }

  /** Starts a response with the status line alone (for 1xx and custom heads). */
  sendResponseOnly(code: number, message?: string): void {
    if (this.exchange.headCommitted) throw new HeadersSentError();
    this.responseCode = code;
    this.headBuffer = statusLine(this.protocolVersion, code, message ?? this.responses[code]?.[0] ?? '');
  }

  /** Adds a header field. Throws for a name or value that could split the response (CR, LF, NUL). */
  sendHeader(keyword: string, value: string | number): void {
    if (this.exchange.headCommitted)
      throw new HeadersSentError('sendHeader() after endHeaders(): the head was already sent');
    const text = typeof value === 'number' ? String(value) : value;
    this.headBuffer += fieldLine(keyword, text);
    switch (framingField(keyword)) {
      case FramingField.Connection: {
        const tokens = connectionTokens(text);
        if ((tokens & CONNECTION_CLOSE) !== 0) this.closeConnection = true;
        else if ((tokens & CONNECTION_KEEP_ALIVE) !== 0) this.closeConnection = false;
        this.hasConnectionField = true;
        break;
      }
      // The server frames the body from these two, so a value it cannot use, or both together (RFC 9112
      // §6.2), would send a head whose framing the client reads differently: an error, as a CR in a value is.
      case FramingField.ContentLength: {
        const length = typeof value === 'number' ? value : parseContentLength(text);
        if (!Number.isSafeInteger(length) || length < 0 || this.declaredChunked) {
          throw new HeaderValueError(`Invalid Content-Length for this response: ${JSON.stringify(text)}`);
        }
        this.declaredLength = length;
        break;
      }
      case FramingField.TransferEncoding:
        if (this.declaredLength >= 0) {
          throw new HeaderValueError('Transfer-Encoding cannot be sent with Content-Length');
        }
        this.declaredChunked = lastTransferCoding(text) === 'chunked';
        break;
    }
  }

  /** Ends the head. It goes out with the first body write, or when the handler returns. */
  endHeaders(): void {
    const code = this.responseCode;
    if (this.headBuffer === '') throw new ResponseOrderError('endHeaders() called before sendResponse()');
    const head = this.headBuffer;
    this.headBuffer = '';
    if (code < 200) {
      this.exchange.sendInterim(code, `${head}\r\n`);
      this.hasConnectionField = false;
      this.declaredLength = -1;
      this.declaredChunked = false;
      return;
    }
    this.exchange.commitHead(code, head, {
      contentLength: this.declaredLength,
      chunked: this.declaredChunked,
      close: this.closeConnection,
      hasConnectionField: this.hasConnectionField,
      http11: this.protocolVersion >= 'HTTP/1.1',
    });
    this.closeConnection = this.exchange.closeAfter;
  }

  /** Sends the head now rather than with the first body bytes. */
  flushHeaders(): void {
    if (this.headBuffer !== '') this.endHeaders();
    this.exchange.flushHead();
  }

  /**
   * Sends an error response with the HTML error page: code, message and explanation escaped, exact
   * Content-Length, `Connection: close`; no body for HEAD or for codes that have none.
   */
  sendError(code: number, message?: string, explain?: string): void {
    this.sendErrorPage(code, message, explain, true);
  }

  /**
   * The page `sendError` sends, with or without `Connection: close`. Python always closes; a subclass whose
   * refusals leave the request read whole and in step (a file server's 404) can keep the connection, and
   * the exchange still closes it wherever framing is in doubt.
   */
  protected sendErrorPage(
    code: number,
    message: string | undefined,
    explain: string | undefined,
    close: boolean,
  ): void {
    const exchange = this.exchange;
    if (exchange.headCommitted) {
      this.logError('cannot send error %d: the response already started', code);
      exchange.fail();
      return;
    }
    const [shortMsg, longMsg] = this.responses[code] ?? ['???', '???'];
    const msg = message ?? shortMsg;
    const why = explain ?? longMsg;
    this.logError('code %d, message %s', code, msg);
    this.sendResponse(code, msg);
    const fields = this.errorFields;
    if (fields !== null) for (const [name, value] of fields) this.sendHeader(name, value);
    if (close) this.sendHeader('Connection', 'close');
    let body: Buffer | null = null;
    if (statusAllowsContent(code)) {
      body = errorPageBytes(this.errorMessageFormat, code, msg, why);
      this.sendHeader('Content-Type', this.errorContentType);
      this.sendHeader('Content-Length', String(body.length));
    }
    this.endHeaders();
    if (body !== null && this.command !== 'HEAD') exchange.write(body);
  }

  /**
   * Logs the request line and status, as Python: `"GET / HTTP/1.1" 200 -`; called as the response starts.
   * Nothing when `quiet`, nor in another log format, whose line `handle()` writes once the response is done.
   */
  logRequest(code: number | string = '-', size: number | string = '-'): void {
    if (!this.logsRequestAtStart) return;
    this.logMessage('"%s" %s %s', this.requestline, String(code), String(size));
  }

  /** Whether `logRequest` writes Python's access line: logging on, not `quiet`, the `python` format. */
  protected get logsRequestAtStart(): boolean {
    return this.logFormat === 'python' && !this.quiet && this.server.logging;
  }

  /** Logs an error through `logMessage` (Python's `log_error`), or as a JSON object in a `json` log. */
  logError(fmt: string, ...args: unknown[]): void {
    if (this.logFormat !== 'json') return this.logMessage(fmt, ...args);
    if (this.server.logging) this.server.log(jsonErrorLine(this, format(fmt, ...args)));
  }

  /**
   * Writes `host - - [date] message` to the server's log; arguments fill `%s`/`%d` as util.format. Control
   * characters are escaped as `\xNN`, so request data cannot inject terminal escapes into the log.
   */
  logMessage(fmt: string, ...args: unknown[]): void {
    if (!this.server.logging) return;
    const message = args.length === 0 ? fmt : format(fmt, ...args);
    this.server.log(pythonLine(this.addressString(), this.logDateTimeString(), message));
  }

  /** `serverVersion sysVersion`, for the Server header. */
  versionString(): string {
    return `${this.serverVersion} ${this.sysVersion}`;
  }

  /** An IMF-fixdate for a header; the current time when no timestamp (ms or Date) is given. */
  dateTimeString(timestamp?: number | Date): string {
    if (timestamp === undefined) return currentHttpDate();
    return formatHttpDate(typeof timestamp === 'number' ? timestamp : timestamp.getTime());
  }

  /** The local time for log lines, `24/Nov/2026 00:01:25` as Python. */
  logDateTimeString(): string {
    return pythonLogDate();
  }

  /** The client's address for logs. */
  addressString(): string {
    return this.clientAddress[0];
  }
}

const METHOD_NAMES = new Map<string, string>();

/** `do` + method, cached for the methods a server sees (bounded: extension methods are rare). */
function methodName(command: string): string {
  let name = METHOD_NAMES.get(command);
  if (name === undefined) {
    name = `do${command}`;
    if (METHOD_NAMES.size < 64) METHOD_NAMES.set(command, name);
  }
  return name;
}

let serverLineFor = '';
let serverLine = '';
let dateLineFor = '';
let dateLine = '';
// eslint-disable-next-line @typescript-eslint/unbound-method -- only compared with a handler's, never called
const baseSendHeader = BaseHTTPRequestHandler.prototype.sendHeader;
// eslint-disable-next-line @typescript-eslint/unbound-method -- only compared with a handler's, never called
const baseDateTimeString = BaseHTTPRequestHandler.prototype.dateTimeString;

Object.assign(BaseHTTPRequestHandler.prototype, {
  serverVersion: `basehttp/${VERSION}`,
  sysVersion: `Node.js/${process.versions.node}`,
  protocolVersion: 'HTTP/1.1',
  errorMessageFormat: DEFAULT_ERROR_MESSAGE,
  errorContentType: 'text/html;charset=utf-8',
  responses: STATUS,
  logFormat: 'python',
  quiet: false,
});
