import net from 'node:net';
import { ParseError } from '../protocol/errors.js';
import { ResponseReader } from '../protocol/response-reader.js';
import { ConnectionFailed, ProxyAuthenticationRequired, ProxyError, TimeoutError } from './errors.js';
import type { HeadTrace } from './head-trace.js';
import type { ProxyConfig } from './proxy.js';
import { hostLine, requestLineOf } from './request-lines.js';
import { responseError } from './response-error.js';

/** A socket through a proxy's CONNECT tunnel, ready for the origin's bytes. */
export interface Tunnel {
  /** The socket to the proxy, now a byte pipe to the origin. */
  readonly socket: net.Socket;
  /** Sends what arrives from now on to `onread` (the socket's reads were set up before the tunnel was). */
  handOver(onread: net.OnReadOpts): net.Socket;
}

/** Room for the proxy's answer to CONNECT (a short head; the reader's limits refuse a longer one). */
const ANSWER_BUFFER = 16 * 1024;

/** `host:port` as CONNECT's request target and Host field write it, an IPv6 address in brackets. */
export function authorityOf(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Asks `proxy` for a tunnel to `host`:`port` (RFC 9110 §9.3.6) and resolves once it answers 2xx; `fields` are
 * extra header lines for the CONNECT (Proxy-Authorization, setTunnel's headers). Rejects, never hangs: a 407
 * is ProxyAuthenticationRequired, another status or an answer that is not HTTP is a ProxyError, no answer
 * within `timeout` ms is a TimeoutError, a failed connection to the proxy is a ConnectionFailed. The answer is
 * read by the protocol layer's response reader.
 */
export function openTunnel(
  proxy: ProxyConfig,
  host: string,
  port: number,
  fields: string,
  timeout: number,
  trace?: HeadTrace,
): Promise<Tunnel> {
  const authority = authorityOf(host, port);
  // Built before connecting, so that a host that could split the message throws (InvalidURL) at once.
  const head = `${requestLineOf('CONNECT', authority)}${hostLine(authority)}${fields}\r\n`;
  const where = `proxy ${proxy.label}`;
  let next: net.OnReadOpts | null = null;
  const answer = Buffer.allocUnsafe(ANSWER_BUFFER);
  const reader = new ResponseReader();
  reader.expect('CONNECT');
  /** What the proxy sent so far, kept only to trace its answer's head. */
  const pieces: Buffer[] = [];
  return new Promise<Tunnel>((resolve, reject) => {
    const socket = net.connect({
      host: proxy.host,
      port: proxy.port,
      noDelay: true,
      onread: {
        buffer: () =>
          next === null ? answer : typeof next.buffer === 'function' ? next.buffer() : next.buffer,
        callback: (length, buffer) => (next === null ? received(length) : next.callback(length, buffer)),
      },
    });
    const settle = (err: Error | null): void => {
      socket.off('error', onError).off('end', onEnd).off('timeout', onTimeout);
      socket.setTimeout(0);
      if (err === null) {
        resolve({
          socket,
          handOver: (onread) => {
            next = onread;
            return socket;
          },
        });
      } else {
        socket.destroy();
        reject(err);
      }
    };
    const received = (length: number): boolean => {
      const piece = Buffer.from(answer.subarray(0, length));
      if (trace !== undefined) pieces.push(piece);
      reader.push(piece);
      let status;
      try {
        const got = reader.readHead();
        if (got === null) return true;
        status = got;
      } catch (err) {
        const cause = err instanceof ParseError ? responseError(err, 'head') : (err as Error);
        settle(new ProxyError(`${where} did not answer CONNECT in HTTP: ${cause.message}`, null, { cause }));
        return true;
      }
      if (trace !== undefined) {
        const read = Buffer.concat(pieces);
        trace(read.toString('latin1', 0, read.length - reader.buffered), 'received');
      }
      const said = `${status.status} ${status.reason}`.trim();
      if (status.status === 407) {
        const challenge = status.headers.get('proxy-authenticate') ?? null;
        settle(new ProxyAuthenticationRequired(`${where} asks for credentials (${said})`, challenge));
      } else if (status.status < 200 || status.status > 299) {
        settle(new ProxyError(`${where} refused the tunnel to ${authority}: ${said}`, status.status));
      } else if (reader.buffered > 0) {
        settle(new ProxyError(`${where} sent bytes after its answer to CONNECT`, null));
      } else {
        settle(null);
      }
      return true;
    };
    const onError = (err: Error): void =>
      settle(new ConnectionFailed(`${where}: ${err.message}`, { cause: err }));
    const onEnd = (): void =>
      settle(new ProxyError(`${where} closed the connection before answering CONNECT`, null));
    const onTimeout = (): void =>
      settle(new TimeoutError(`${where} did not set up the tunnel to ${authority} within ${timeout} ms`));
    socket.on('error', onError).on('end', onEnd).on('timeout', onTimeout);
    socket.setTimeout(timeout);
    trace?.(head, 'sent');
    socket.write(head, 'latin1');
  });
}
