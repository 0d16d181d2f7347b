/** basehttp: Python's http.server and http.client for Node.js. */
export { HTTPServer } from './server/http-server.js';
export type { ServerAddress, ServerOptions, ClientAddress, HandlerClass } from './server/http-server.js';
export { BaseHTTPRequestHandler } from './server/request-handler.js';
export { Exchange } from './connection/exchange.js';
export { Headers } from './protocol/headers.js';
export { ParseError } from './protocol/errors.js';
export type { ParseErrorKind } from './protocol/errors.js';
export { HTTPStatusError, statusForParseError } from './connection/status-error.js';
export { HeaderValueError } from './protocol/response-head.js';
export { STATUS } from './protocol/status.js';
export { formatHttpDate, parseHttpDate } from './protocol/http-date.js';
export { RequestReader } from './protocol/request-reader.js';
export type { RequestHead } from './protocol/request-reader.js';
export { BODY_END, DEFAULT_HEAD_LIMITS } from './protocol/message-reader.js';
export type { BodyFraming, HeadLimits } from './protocol/message-reader.js';
export { VERSION } from './version.js';
export { SimpleHTTPRequestHandler } from './handlers/static/simple-handler.js';
export type { StaticOptions } from './handlers/static/options.js';
export { resolveOptions } from './handlers/static/options.js';
export { HTTPConnection } from './client/connection.js';
export type { RequestOptions, ConnectionOptions } from './client/connection.js';
export type { RequestBody, RequestHeaders } from './client/outgoing-request.js';
export { HTTPResponse } from './client/response.js';
export {
  BadStatusLine,
  HTTPException,
  IncompleteRead,
  InvalidURL,
  LineTooLong,
  RemoteDisconnected,
  ResponseNotReady,
  TimeoutError,
} from './client/errors.js';
export { ResponseReader } from './protocol/response-reader.js';
export type { ResponseHead } from './protocol/response-reader.js';
export { HTTPSConnection } from './client/tls-connection.js';
export type { TLSOptions } from './client/tls-connection.js';
export { Pool } from './client/pool.js';
export type { PoolOptions, PoolRequest } from './client/pool.js';
export { request, poolFor, closeAllPools } from './client/request.js';
export type { FetchOptions, ClientResponse } from './client/request.js';
export { HTTPSServer } from './server/https-server.js';
export type { TLSServerOptions } from './server/https-server.js';
export { CGIHTTPRequestHandler } from './handlers/cgi/cgi-handler.js';
export { ProxyHeaderParser, ProxyHeaderError, parseProxyHeader } from './protocol/proxy-header.js';
export type { ProxyHeader, ProxyEndpoint } from './protocol/proxy-header.js';
