/**
 * `basehttp/protocol`: the HTTP/1.1 parser the server and the client share, for programs that parse messages
 * themselves (a proxy, a test tool). Incremental and role-specific: `RequestReader` for requests,
 * `ResponseReader` for responses; `ProxyHeaderParser` for the PROXY protocol header before either.
 */

// Message readers
export { RequestReader } from './request-reader.js';
export type { RequestHead } from './request-reader.js';
export { ResponseReader } from './response-reader.js';
export type { ResponseHead } from './response-reader.js';
export { BODY_END, DEFAULT_HEAD_LIMITS } from './message-reader.js';
export type { BodyFraming, HeadLimits } from './message-reader.js';
export { Headers } from './headers.js';
export { ParseError } from './errors.js';
export type { ParseErrorKind } from './errors.js';

// PROXY protocol
export { ProxyHeaderParser, ProxyHeaderError, parseProxyHeader } from './proxy-header.js';
export type { ProxyHeader, ProxyEndpoint } from './proxy-header.js';

// Field values
export { HeaderValueError, InvalidStatusError } from './response-head.js';
export { formatHttpDate, parseHttpDate } from './http-date.js';
export { STATUS } from './status.js';
