/**
 * A `Response` that costs little to make. On Node 20, `new Response('text')` builds a web stream for its
 * body at once, which costs more than the whole rest of a small exchange; a body the server writes from its
 * source needs no stream. This class keeps the body and init as given (for a string, bytes or no body, and
 * a valid status) and makes the full Response only when something needs it (`body`, `text()`, `clone()`,
 * …). `serve()` installs it as the global `Response` (as `@hono/node-server` does), unless told not to: it
 * is an `instanceof Response`, and `instanceof` on it holds for Node's own Responses too.
 */
const NativeResponse = globalThis.Response;

const kBody = Symbol('body');
const kStatus = Symbol('status');
const kHeaders = Symbol('headers');
const kFull = Symbol('full');

type HeldSource = string | Uint8Array | Blob | null;

/** Statuses whose responses have no body (the Fetch standard's null body status), and the 2xx–5xx range. */
function fastStatus(status: unknown, body: HeldSource): boolean {
  if (status === undefined) return true;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return false;
  return body === null || !(status === 204 || status === 205 || status === 304);
}

/**
 * What a body the lightweight Response can hold is kept as, with the Content-Type the Fetch standard gives
 * it; undefined for the bodies only Node's Response takes (streams, FormData).
 */
function heldSource(body: unknown): { source: HeldSource; type: string } | undefined {
  if (body === null) return { source: null, type: '' };
  if (typeof body === 'string') return { source: body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { source: body, type: '' };
  // Copied, as the standard says, so a later change to the buffer does not reach the response.
  if (body instanceof ArrayBuffer) return { source: new Uint8Array(body.slice(0)), type: '' };
  if (body instanceof URLSearchParams)
    return { source: body.toString(), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof Blob) return { source: body, type: body.type };
  return undefined;
}

/** A lightweight Response; see the module comment. */
export class FastResponse {
  declare private [kBody]: HeldSource;
  declare private [kStatus]: number;
  declare private [kHeaders]: Headers | undefined;
  declare private [kFull]: Response | undefined;

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    const held = heldSource(body ?? null);
    if (
      held !== undefined &&
      (init === undefined || (init.statusText === undefined && fastStatus(init.status, held.source)))
    ) {
      this[kBody] = held.source;
      this[kStatus] = init?.status ?? 200;
      this[kFull] = undefined;
      // Made now, as the native constructor does, so a bad field throws here and not when it is sent.
      let headers = init?.headers === undefined ? undefined : new Headers(init.headers);
      if (held.type !== '' && !headers?.has('content-type')) {
        (headers ??= new Headers()).set('content-type', held.type);
      }
      this[kHeaders] = headers;
      return;
    }
    this[kFull] = new NativeResponse(body, init);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof NativeResponse || (typeof value === 'object' && value !== null && kFull in value);
  }

  get status(): number {
    return this[kFull]?.status ?? this[kStatus];
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status < 300;
  }

  get statusText(): string {
    return this[kFull]?.statusText ?? '';
  }

  get headers(): Headers {
    return this[kFull]?.headers ?? (this[kHeaders] ??= new Headers());
  }
}

/** The full Response, made from the held body on first need. */
function full(response: FastResponse): Response {
  const self = response as unknown as Record<symbol, unknown>;
  return ((self[kFull] as Response | undefined) ??= new NativeResponse(self[kBody] as HeldSource, {
    status: self[kStatus] as number,
    headers: self[kHeaders] as Headers | undefined,
  }));
}

for (const key of Object.getOwnPropertyNames(NativeResponse.prototype)) {
  if (key === 'constructor' || Object.hasOwn(FastResponse.prototype, key)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(NativeResponse.prototype, key)!;
  if (descriptor.get !== undefined) {
    Object.defineProperty(FastResponse.prototype, key, {
      get(this: FastResponse) {
        return (full(this) as unknown as Record<string, unknown>)[key];
      },
    });
  } else if (typeof descriptor.value === 'function') {
    Object.defineProperty(FastResponse.prototype, key, {
      value(this: FastResponse, ...args: unknown[]) {
        const native = full(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
        return native[key]!(...args);
      },
      writable: true,
    });
  }
}
// Node's code that takes a Response reads its internals under symbols: hand over the full one's.
for (const symbol of Object.getOwnPropertySymbols(new NativeResponse(null))) {
  Object.defineProperty(FastResponse.prototype, symbol, {
    get(this: FastResponse) {
      return (full(this) as unknown as Record<symbol, unknown>)[symbol];
    },
  });
}
Object.defineProperty(FastResponse.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: FastResponse, _depth: number, options: object, inspect: (v: unknown, o: object) => string) {
    return inspect(full(this), options);
  },
});
Object.setPrototypeOf(FastResponse.prototype, NativeResponse.prototype);
Object.setPrototypeOf(FastResponse, NativeResponse); // Response.json(), .redirect(), .error()

/**
 * The body of a FastResponse that has not been made full: as bytes, or a Blob's length (its bytes are then
 * read through `body`); undefined for any other Response.
 */
export function fastBody(response: Response): Buffer | number | null | undefined {
  const self = response as unknown as Record<symbol, unknown>;
  if (!(kFull in self) || self[kFull] !== undefined) return undefined;
  const source = self[kBody] as HeldSource;
  if (source === null) return null;
  if (typeof source === 'string') return Buffer.from(source, 'utf8');
  if (source instanceof Blob) return source.size;
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
}

/** Makes `FastResponse` the global `Response`, once. */
export function installFastResponse(): void {
  if (globalThis.Response !== (FastResponse as unknown as typeof Response)) {
    Object.defineProperty(globalThis, 'Response', {
      value: FastResponse,
      writable: true,
      configurable: true,
    });
  }
}
