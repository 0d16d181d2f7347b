import type { Exchange } from '../../connection/exchange.js';
import { webHeaders, webRequest } from './web-request.js';

/**
 * The app's `Request`, made cheaply: `method`, `url` and `signal` come straight from the exchange, `headers`
 * is filled on first use, and the full `Request` (body stream and all) is built only when the app touches
 * anything else. Most requests (a routed GET) never need it, and building one costs more than the rest of
 * a small exchange. It is a `Request` to `instanceof`, and hands the full one's internals to Node's own
 * `fetch` and `new Request(request)` (the symbols they read), so passing it on works as with any Request.
 */
const kExchange = Symbol('exchange');
const kUrl = Symbol('url');
const kHeaders = Symbol('headers');
const kFull = Symbol('full');

interface LazyRequest {
  [kExchange]: Exchange;
  [kUrl]: string;
  [kHeaders]: Headers | undefined;
  [kFull]: Request | undefined;
}

function full(request: LazyRequest): Request {
  return (request[kFull] ??= webRequest(request[kExchange], request[kUrl], headersOf(request)));
}

function headersOf(request: LazyRequest): Headers {
  return (request[kHeaders] ??= webHeaders(request[kExchange].head!.headers));
}

const prototype = Object.create(Request.prototype, {
  method: {
    get(this: LazyRequest) {
      return this[kExchange].head!.method;
    },
  },
  url: {
    get(this: LazyRequest) {
      return this[kUrl];
    },
  },
  headers: {
    get(this: LazyRequest) {
      return this[kFull]?.headers ?? headersOf(this);
    },
  },
  signal: {
    get(this: LazyRequest) {
      return this[kFull]?.signal ?? this[kExchange].signal;
    },
  },
  [Symbol.for('nodejs.util.inspect.custom')]: {
    value(this: LazyRequest, _depth: number, options: object, inspect: (v: unknown, o: object) => string) {
      return inspect(full(this), options);
    },
  },
}) as Record<PropertyKey, unknown>;

for (const key of Object.getOwnPropertyNames(Request.prototype)) {
  if (key === 'constructor' || Object.hasOwn(prototype, key)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  if (descriptor.get !== undefined) {
    Object.defineProperty(prototype, key, {
      get(this: LazyRequest) {
        return (full(this) as unknown as Record<string, unknown>)[key];
      },
    });
  } else if (typeof descriptor.value === 'function') {
    Object.defineProperty(prototype, key, {
      value(this: LazyRequest, ...args: unknown[]) {
        const request = full(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
        return request[key]!(...args);
      },
      writable: true,
    });
  }
}

// Node 20's fetch and Request constructor read a Request's internals under symbols: hand over the full
// one's. Node 24 keeps them in private fields, which no other object can hand over: there every request is
// made full at once, as `new Request(request)` and `fetch(request)` must keep working.
const internals = Object.getOwnPropertySymbols(new Request('http://localhost/'));
const canBeLazy = internals.some((symbol) => symbol.description === 'state');
for (const symbol of internals) {
  Object.defineProperty(prototype, symbol, {
    get(this: LazyRequest) {
      return (full(this) as unknown as Record<symbol, unknown>)[symbol];
    },
  });
}

/** The exchange's request as a `Request` whose costly parts are made on first use; `url` is absolute. */
export function lazyRequest(exchange: Exchange, url: string): Request {
  if (!canBeLazy) return webRequest(exchange, url, webHeaders(exchange.head!.headers));
  const request = Object.create(prototype) as LazyRequest;
  request[kExchange] = exchange;
  request[kUrl] = url;
  request[kHeaders] = undefined;
  request[kFull] = undefined;
  return request as unknown as Request;
}
