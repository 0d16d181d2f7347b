import net from 'node:net';
import { ProtocolError } from '../protocol/errors.js';
import { BODY_END } from '../protocol/message-reader.js';
import { requestHead } from '../protocol/request-head.js';
import { HeaderValueError } from '../protocol/response-head.js';
import { ResponseReader, type ResponseHead } from '../protocol/response-reader.js';
import {
  BadStatusLine,
  HTTPException,
  InvalidURL,
  LineTooLong,
  RemoteDisconnected,
  ResponseNotReady,
  TimeoutError,
} from './errors.js';
import { HTTPResponse } from './response.js';

/** A request body: bytes with a known length, or a stream of unknown length (sent chunked). */
export type RequestBody =
  string | Buffer | Uint8Array | AsyncIterable<string | Buffer | Uint8Array> | Iterable<Buffer>;

export interface RequestOptions {
  body?: RequestBody | null;
  headers?: Record<string, string | number> | Array<[string, string]>;
  /** Send a streaming body chunked even if a Content-Length is given (as Python's `encode_chunked`). */
  encodeChunked?: boolean;
}

export interface ConnectionOptions {
  /** Milliseconds for connecting and for each wait on the server (head, body bytes). Default 30 000. */
  timeout?: number;
}

/** More interim (1xx) responses than this before the final one is a misbehaving server (CVE-2021-3737 class). */
const MAX_INTERIM = 100;

/**
 * Python's `http.client.HTTPConnection`: one connection to one server, one request at a time, kept alive
 * between requests when the server allows. The response parser is the server's own protocol layer in the
 * response role.
 */
export class HTTPConnection {
  readonly timeout: number;
  /** The socket, once connected; replaced after the server closes it. */
  sock: net.Socket | null = null;
  private reader = new ResponseReader();
  private head = '';
  private fields: Array<[string, string]> = [];
  private method: string | null = null;
  private sent = false;
  private current: HTTPResponse | null = null;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor(
    readonly host: string,
    readonly port = 80,
    options: ConnectionOptions = {},
  ) {
    this.timeout = options.timeout ?? 30_000;
  }

  /** The default port for the scheme: Host omits it then. */
  protected get defaultPort(): number {
    return 80;
  }

  /** Opens the socket; HTTPS overrides this with a TLS one. */
  protected openSocket(): net.Socket {
    return net.connect({ host: this.host, port: this.port, noDelay: true });
  }

  /** Connects now (requests connect on their own when needed). */
  async connect(): Promise<void> {
    if (this.sock !== null && !this.sock.destroyed) return;
    const sock = this.openSocket();
    this.reader = new ResponseReader();
    this.failure = null;
    this.ended = false;
    sock.setTimeout(this.timeout);
    // Events of a socket this connection has already replaced must not touch the new one's state.
    const live = (): boolean => this.sock === sock;
    sock.on('data', (chunk: Buffer) => {
      if (!live()) return;
      this.reader.push(chunk);
      this.notify();
    });
    sock.on('end', () => {
      if (!live()) return;
      this.ended = true;
      this.reader.endInput();
      this.notify();
    });
    sock.on('timeout', () => {
      if (live())
        this.fail(new TimeoutError(`no answer from ${this.host}:${this.port} within ${this.timeout} ms`));
    });
    sock.on('error', (err) => {
      if (live()) this.fail(err);
    });
    sock.on('close', () => {
      if (!live()) return;
      this.ended = true;
      this.notify();
    });
    this.sock = sock;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      sock.once('error', onError);
      sock.once('timeout', () =>
        reject(new TimeoutError(`connecting to ${this.host}:${this.port} timed out`)),
      );
      sock.once(sock instanceof net.Socket && 'encrypted' in sock ? 'secureConnect' : 'connect', () => {
        sock.off('error', onError);
        resolve();
      });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.sock?.destroy();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves on the next socket event (data, end, error, timeout). */
  private waitForInput(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Starts a request, as Python's `putrequest`: Host (with the port when not default, IPv6 in brackets) is added. */
  putrequest(method: string, url: string, { skipHost = false }: { skipHost?: boolean } = {}): void {
    if (this.current !== null && !this.current.isclosed()) {
      throw new ResponseNotReady('the previous response has not been read to its end');
    }
    this.method = method;
    this.sent = false;
    this.fields = [];
    this.head = url;
    if (!skipHost) {
      const host = this.host.includes(':') ? `[${this.host}]` : this.host;
      this.putheader('Host', this.port === this.defaultPort ? host : `${host}:${this.port}`);
    }
  }

  /** Adds a header; several values are joined with `, `. Invalid names or values throw before sending. */
  putheader(name: string, ...values: Array<string | number>): void {
    if (this.method === null) throw new ResponseNotReady('putheader() before putrequest()');
    this.fields.push([name, values.length === 1 ? String(values[0]) : values.map(String).join(', ')]);
  }

  /** Sends the head (and `body`, if given), as Python's `endheaders`. */
  async endheaders(body?: string | Buffer): Promise<void> {
    if (this.method === null) throw new ResponseNotReady('endheaders() before putrequest()');
    let text: string;
    try {
      text = requestHead(this.method, this.head, this.fields);
    } catch (err) {
      this.method = null;
      throw err instanceof HeaderValueError ? new InvalidURL(err.message) : err;
    }
    await this.connect();
    this.reader.expect(this.method);
    this.sock!.write(text, 'latin1');
    this.sent = true;
    if (body !== undefined) await this.send(body);
  }

  /** Sends body bytes as they are (the caller frames them). */
  async send(data: string | Buffer | Uint8Array): Promise<void> {
    if (!this.sent || this.sock === null) throw new ResponseNotReady('send() before endheaders()');
    if (!this.sock.write(data)) await new Promise((resolve) => this.sock!.once('drain', resolve));
  }

  /**
   * Sends a whole request: `Content-Length` for strings and bytes, chunked for streams of unknown length.
   * With `Expect: 100-continue` among the headers, the body waits for the interim response (or a final one,
   * which is then kept for `getresponse`).
   */
  async request(
    method: string,
    url: string,
    { body = null, headers = {}, encodeChunked = false }: RequestOptions = {},
  ): Promise<void> {
    const pairs: Array<[string, string]> = Array.isArray(headers)
      ? headers
      : Object.entries(headers).map(([k, v]) => [k, String(v)]);
    const given = new Set(pairs.map(([k]) => k.toLowerCase()));
    const has = (name: string): boolean => given.has(name);
    this.putrequest(method, url, { skipHost: has('host') });
    for (const [k, v] of pairs) this.putheader(k, v);
    const fixed = typeof body === 'string' || body instanceof Uint8Array ? Buffer.from(body as string) : null;
    const streaming = body !== null && fixed === null;
    const chunked = streaming && (encodeChunked || !has('content-length'));
    if (fixed !== null && !has('content-length')) this.putheader('Content-Length', fixed.length);
    else if (body === null && ['POST', 'PUT', 'PATCH'].includes(method) && !has('content-length')) {
      this.putheader('Content-Length', 0);
    }
    if (chunked && !has('transfer-encoding')) this.putheader('Transfer-Encoding', 'chunked');
    await this.endheaders();
    if (body === null) return;
    if (has('expect') && !(await this.continueReceived())) return;
    if (fixed !== null) {
      await this.send(fixed);
      return;
    }
    for await (const piece of body as AsyncIterable<string | Buffer | Uint8Array>) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      if (bytes.length === 0) continue;
      await this.send(
        chunked
          ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
          : bytes,
      );
    }
    if (chunked) await this.send('0\r\n\r\n');
  }

  private early: ResponseHead | null = null;

  /** Waits for `100 Continue` (true) or a final response (false, kept for getresponse). */
  private async continueReceived(): Promise<boolean> {
    const head = await this.readHead(true);
    if (head.status === 100) return true;
    this.early = head;
    return false;
  }

  /** The response to the request sent, as Python's `getresponse()`; interim 1xx responses are skipped. */
  async getresponse(): Promise<HTTPResponse> {
    if (!this.sent) throw new ResponseNotReady('no request was sent');
    const head = this.early ?? (await this.readHead(false));
    this.early = null;
    this.sent = false;
    this.method = null;
    const response = new HTTPResponse(head, this);
    this.current = response;
    if (head.framing.kind === 'none') this.bodyFinished(head);
    return response;
  }

  /** Reads the next head; with `stopAtContinue`, a `100 Continue` is returned instead of skipped. */
  private async readHead(stopAtContinue: boolean): Promise<ResponseHead> {
    for (let interim = 0; ;) {
      let head: ResponseHead | null;
      try {
        head = this.reader.readHead();
      } catch (err) {
        this.sock?.destroy();
        const message = (err as Error).message;
        throw err instanceof ProtocolError && /too long|too large/i.test(message)
          ? new LineTooLong(message)
          : new BadStatusLine(message);
      }
      if (head !== null) {
        if (head.status >= 200 || head.status === 101 || (stopAtContinue && head.status === 100)) return head;
        if (++interim > MAX_INTERIM) {
          this.sock?.destroy();
          throw new BadStatusLine(`more than ${MAX_INTERIM} interim responses`);
        }
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended) {
        this.sock?.destroy();
        throw this.reader.buffered > 0
          ? new BadStatusLine('connection closed in the middle of a response head')
          : new RemoteDisconnected('Remote end closed connection without response');
      }
      await this.waitForInput();
    }
  }

  /** The next piece of the current body, or null at its end; used by HTTPResponse. */
  async nextBodyPiece(head: ResponseHead): Promise<Buffer | null> {
    for (;;) {
      let piece;
      try {
        piece = this.reader.readBody();
      } catch (err) {
        this.sock?.destroy();
        throw err;
      }
      if (piece === BODY_END) {
        this.bodyFinished(head);
        return null;
      }
      if (piece !== null) return piece;
      if (this.failure !== null) throw this.failure;
      await this.waitForInput();
    }
  }

  /** After a body: a connection the server will close (or did) is dropped, so the next request reconnects. */
  private bodyFinished(head: ResponseHead): void {
    if (!head.keepAlive || this.ended) this.close();
  }

  /** Closes the socket; a request waiting on it fails at once (this is how an abort lands). */
  close(): void {
    this.sock?.destroy();
    this.sock = null;
    this.failure ??= new HTTPException('The connection was closed');
    this.notify();
  }
}
