/**
 * basehttp: Python's http.server and http.client for Node.js. This entry is the product's API, each name
 * documented in docs/api.md (a test holds the two together); the HTTP/1.1 parser underneath is
 * `basehttp/protocol` (src/protocol/index.ts), the connection engine is not exported.
 */

// Servers
export { HTTPServer } from './server/http-server.js';
export type { ServerAddress, ServerOptions, ClientAddress, HandlerClass } from './server/http-server.js';
export { HTTPSServer } from './server/https-server.js';
export type { TLSServerOptions } from './server/https-server.js';
export { runServer } from './server/run-server.js';
export type { RunServerOptions } from './server/run-server.js';

// Handlers
export { BaseHTTPRequestHandler } from './server/request-handler.js';
export type { HandlerArgs } from './server/request-handler.js';
export type { RequestBodyStream } from './connection/request-body.js';
export type { LogFormat } from './server/access-log.js';
export { SimpleHTTPRequestHandler } from './handlers/static/simple-handler.js';
export { ProxyHandler, withProxy } from './handlers/proxy/proxy-handler.js';
export type { ReverseProxyOptions } from './handlers/proxy/options.js';
export type { StaticOptions } from './handlers/static/options.js';
export type { UploadOptions } from './handlers/static/upload/upload-options.js';
export type { TranslatedPath } from './handlers/static/translate-path.js';
export { CGIHTTPRequestHandler } from './handlers/cgi/cgi-handler.js';

// WebSocket (RFC 6455): the socket object and its errors
export { WebSocket } from './websocket/websocket.js';
export type { BinaryType, WebSocketHandler } from './websocket/websocket.js';
export type { WebSocketOptions } from './websocket/options.js';
export type {
  WebSocketEvent,
  WebSocketMessageEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  WebSocketEventMap,
} from './websocket/events.js';
export {
  WebSocketStateError,
  WebSocketCloseCodeError,
  WebSocketCloseReasonError,
  WebSocketPingSizeError,
  WebSocketProtocolError,
  WebSocketOptionError,
} from './websocket/errors.js';
export { WebSocketHandshakeError } from './server/accept-websocket.js';
export type { PerMessageDeflateOptions } from './protocol/websocket/deflate-offer.js';
export { DeflateOptionError } from './protocol/websocket/deflate-offer.js';
export { ExtensionHeaderError } from './protocol/websocket/extensions-header.js';
export { DeflateDataError, DeflateTooLargeError } from './websocket/deflate-errors.js';

// Fetch-API face
export { serve, FetchServer } from './faces/fetch/serve.js';
export { upgradeWebSocket, type WebSocketUpgrade } from './faces/fetch/upgrade-websocket.js';
export type {
  FetchApp,
  FetchErrorHandler,
  FetchInfo,
  FetchServeOptions,
  FetchTLSOptions,
} from './faces/fetch/serve.js';

// Client
export { HTTPConnection } from './client/connection.js';
export type { RequestOptions, ConnectionOptions } from './client/connection.js';
export { HTTPSConnection } from './client/tls-connection.js';
export type { TLSOptions } from './client/tls-connection.js';
export type { RequestBody, RequestHeaders } from './client/outgoing-request.js';
export { HTTPResponse } from './client/response.js';
export { Pool } from './client/pool.js';
export type { PendingResponse, PoolOptions, PoolRequest } from './client/pool.js';
export type { HeadTrace } from './client/head-trace.js';
export { request, closeAllPools } from './client/request.js';
export type { FetchOptions, ClientResponse } from './client/request.js';
export type { ProxyOptions } from './client/proxy.js';
export { fetch } from './client/fetch/fetch.js';
export type { FetchInit } from './client/fetch/fetch.js';
export type { RetryOptions } from './client/retry.js';

// Errors
export { HTTPStatusError } from './connection/status-error.js';
export {
  HandlerMethodNameError,
  InvalidServerOptionError,
  ReadSizeError,
  SocketPathError,
  TLSCredentialsError,
} from './server/errors.js';
export {
  ClientDisconnected,
  ContentLengthExceeded,
  HeadersSentError,
  ResponseOrderError,
  TakeOverError,
} from './connection/response-errors.js';
export type { TakenOverConnection } from './connection/exchange.js';
export { HeaderValueError, InvalidStatusError } from './protocol/response-head.js';
export {
  InvalidFetchHandlerError,
  InvalidResponseError,
  WebSocketUpgradeError,
} from './faces/fetch/errors.js';
export { ProxyHeaderError } from './protocol/proxy-header.js';
export { ParseError } from './protocol/errors.js';
export {
  AlreadyConnected,
  BadStatusLine,
  BodyTimeout,
  ConnectTimeout,
  ConnectionClosed,
  ConnectionFailed,
  ContentLengthMismatch,
  FetchFailed,
  HeadersTimeout,
  HTTPException,
  IncompleteRead,
  InvalidHeader,
  InvalidOption,
  InvalidURL,
  LineTooLong,
  PoolClosed,
  ProxyAuthenticationRequired,
  ProxyError,
  RedirectRefused,
  RemoteDisconnected,
  ResponseNotReady,
  TimeoutError,
  TooManyRedirects,
} from './client/errors.js';

// Shared
export { Headers } from './protocol/headers.js';
export { VERSION } from './version.js';
