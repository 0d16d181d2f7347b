import { once } from 'node:events';
import { HTTPStatusError } from '../../connection/status-error.js';
import { statusAllowsContent } from '../../protocol/framing.js';
import { BaseHTTPRequestHandler } from '../../server/request-handler.js';
import { InvalidResponseError } from './errors.js';
import { lazyRequest } from './lazy-request.js';
import { requestUrl } from './web-request.js';
import { EMPTY, heldBody } from './response-source.js';
import type { FetchApp, FetchErrorHandler, FetchServer } from './serve.js';

/**
 * Runs a Fetch-API app on the engine: one instance per request, as every handler. The request becomes a web
 * `Request` and the app's `Response` is written through the handler API's own head and body methods, so the
 * framing, limits, log lines and error pages are the engine's.
 */
export class FetchHandler extends BaseHTTPRequestHandler {
  /** The app's `fetch`; set on the prototype of the class `serve()` makes. */
  declare readonly app: FetchApp;
  /** The app's `onError`, or null for the default (a 500 and a log line). */
  declare readonly onError: FetchErrorHandler | null;
  /** What the app sees as `info.server`. */
  declare readonly face: FetchServer;
  /** `http` or `https`, for the request's URL. */
  declare readonly scheme: string;
  /** The request as the app saw it, for `onError`. */
  private request: Request | null = null;

  /** Runs the app in place of the `do<METHOD>` dispatch. */
  override handleOneRequest(): void | Promise<void> {
    const head = this.exchange.head!;
    this.closeConnection = !head.keepAlive;
    const url = requestUrl(this.exchange, this.scheme, this.server.serverAddress);
    if (url === null) {
      this.sendError(400, 'Request target has no URL');
      return this.complete();
    }
    const request = lazyRequest(this.exchange, url);
    this.request = request;
    let result: Response | Promise<Response>;
    try {
      result = this.app(request, { clientAddress: this.clientAddress, server: this.face });
    } catch (err) {
      return this.failed(err);
    }
    if (result instanceof Response) return this.respond(result);
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      return result.then(
        (response) => this.respond(response),
        (err: unknown) => this.failed(err),
      );
    }
    return this.failed(notAResponse(result));
  }

  /** The app threw or rejected: `onError`'s response, or the handler API's 500 and log line. */
  private failed(err: unknown): void | Promise<void> {
    const onError = this.onError;
    if (onError === null || this.exchange.headCommitted || this.exchange.aborted) {
      return this.answerError(err);
    }
    let result: Response | Promise<Response>;
    try {
      result = onError(err, this.request!);
    } catch (failure) {
      return this.answerError(failure);
    }
    return Promise.resolve(result).then(
      (response) =>
        response instanceof Response ? this.respond(response) : this.answerError(notAResponse(response)),
      (failure: unknown) => this.answerError(failure),
    );
  }

  /** A 500 (or the body error's status), one log line, or a cut connection if the response had started. */
  private answerError(err: unknown): void | Promise<void> {
    const bodyError = this.exchange.bodyError;
    this.handleException(bodyError !== null && !(err instanceof HTTPStatusError) ? bodyError : err);
    return this.complete();
  }

  /** Writes the app's Response, or answers the error that stops it (a header value that cannot be sent). */
  private respond(response: unknown): void | Promise<void> {
    if (!(response instanceof Response)) return this.failed(notAResponse(response));
    try {
      return this.writeResponse(response);
    } catch (err) {
      return this.answerError(err);
    }
  }

  /** The head from the Response's status and headers, then its body, framed by the engine. */
  private writeResponse(response: Response): void | Promise<void> {
    const exchange = this.exchange;
    if (exchange.aborted) {
      void response.body?.cancel().catch(ignore);
      return;
    }
    const status = response.status;
    let held = heldBody(response);
    // A HEAD answer without a body says nothing of the GET body's length; a Content-Length the app gave does.
    if (held === EMPTY && this.command === 'HEAD') held = -1;
    const hasContent = statusAllowsContent(status);
    let ownDate = false;
    let ownServer = false;
    let lines: [string, string][] | null = null;
    for (const field of response.headers) {
      const name = field[0];
      // The engine frames the body; a length the body itself gives is the one that is sent.
      if (name === 'transfer-encoding' || (name === 'content-length' && (held !== -1 || !hasContent)))
        continue;
      if (name === 'date') ownDate = true;
      else if (name === 'server') ownServer = true;
      (lines ??= []).push(field);
    }
    if (ownDate || ownServer) {
      this.logRequest(status);
      this.sendResponseOnly(status, response.statusText || undefined);
      if (!ownServer) this.sendHeader('Server', this.versionString());
      if (!ownDate) this.sendHeader('Date', this.dateTimeString());
    } else {
      this.sendResponse(status, response.statusText || undefined);
    }
    if (lines !== null) for (const [name, value] of lines) this.sendHeader(name, value);
    const length = typeof held === 'number' ? held : held.length;
    if (hasContent && length >= 0) this.sendHeader('Content-Length', length);
    this.endHeaders();
    if (typeof held !== 'number') {
      if (held.length > 0) exchange.write(held);
      return this.complete();
    }
    const body = response.body;
    if (body === null) return this.complete();
    if (!hasContent || this.command === 'HEAD') {
      void body.cancel().catch(ignore);
      return this.complete();
    }
    return this.pump(body).then(
      () => this.complete(),
      (err: unknown) => this.answerError(err),
    );
  }

  /**
   * Writes a body stream as it is produced (an SSE event reaches the client when the app sends it), waiting
   * for the socket when the client reads slowly; cancelled when the client leaves or shutdown cuts it.
   */
  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const exchange = this.exchange;
    const out = exchange.responseStream;
    const reader = body.getReader();
    const signal = exchange.signal;
    const cancel = (): void => void reader.cancel(signal.reason).catch(ignore);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || exchange.aborted) return;
        if (!(value instanceof Uint8Array))
          throw new InvalidResponseError('A Response body stream gave a chunk that is not a Uint8Array');
        if (!out.write(value)) await once(out, 'drain');
      }
    } finally {
      signal.removeEventListener('abort', cancel);
      reader.releaseLock();
    }
  }
}

function notAResponse(value: unknown): InvalidResponseError {
  const what = value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value;
  return new InvalidResponseError(`The fetch handler returned ${what ?? 'an object'}, not a Response`);
}

function ignore(): void {}
