/** A real backend for proxy tests: node:http on loopback, with the behaviours a proxy must carry or survive. */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import zlib from 'node:zlib';

/** What the backend saw of the last request to /echo. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
}

/** A started backend: its port, a way to send the next SSE event, and close(). */
export interface Backend {
  port: number;
  /** Sends one more event on every open /sse stream, or ends them with `end`. */
  sse(text: string | null): void;
  /** Bytes /flood has written so far (it respects backpressure). */
  flooded(): number;
  /** Resolves when the next /hang or /sse response closes before its end (the proxy closed its connection). */
  nextCut(): Promise<void>;
  /** Resolves when the next /hang request arrives. */
  nextHang(): Promise<void>;
  close(): Promise<void>;
}

const FLOOD_PIECE = Buffer.alloc(64 * 1024, 'x');

/**
 * Routes: `/echo…` answers JSON of what it saw (method, url, headers, body byte count), with a
 * `Connection: X-Hop` + `X-Hop` pair and `Keep-Alive` that must not reach the client; `/sse` holds an event
 * stream open (a leading `/api`, `/slow` or `/s` is ignored); `/hang` never answers; `/die` promises 100 bytes and dies after 10; `/flood?mib=N` writes N MiB
 * as fast as the reader takes it; `/big?mib=N` the same, for plain downloads; `/page` is an HTML page (see
 * `sendPage`).
 */
export async function startBackend(tls?: { cert: string; key: string }): Promise<Backend> {
  const streams = new Set<http.ServerResponse>();
  const sockets = new Set<net.Socket>();
  let flooded = 0;
  const cutWaiters: Array<() => void> = [];
  const hangWaiters: Array<() => void> = [];
  const watchCut = (res: http.ServerResponse): void => {
    res.on('close', () => {
      if (!res.writableEnded) for (const resolve of cutWaiters.splice(0)) resolve();
    });
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url!, 'http://x');
    const route = url.pathname.replace(/^\/(api|slow|s)(?=\/)/, '');
    if (route === '/hang') {
      watchCut(res);
      for (const resolve of hangWaiters.splice(0)) resolve();
      return;
    }
    if (route === '/die') {
      res.writeHead(200, { 'Content-Length': 100 });
      res.write('0123456789', () => res.socket?.destroy());
      return;
    }
    if (route === '/sse') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('data: first\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      watchCut(res);
      return;
    }
    if (route === '/page') {
      sendPage(req, res, url.searchParams);
      return;
    }
    if (route === '/flood' || route === '/big') {
      let left = Number(url.searchParams.get('mib')) * 16;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': left * 65536 });
      const pump = (): void => {
        while (left > 0) {
          left--;
          flooded += FLOOD_PIECE.length;
          if (!res.write(FLOOD_PIECE)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const seen: Seen = { method: req.method!, url: req.url!, headers: req.headers, bytes };
      res.writeHead(200, {
        'Content-Type': 'application/json',
        Connection: 'X-Hop',
        'X-Hop': 'must not pass',
        'Keep-Alive': 'timeout=5',
        'X-End-To-End': 'passes',
      });
      res.end(JSON.stringify(seen));
    });
  };
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sse(text) {
      for (const res of streams) {
        if (text === null) res.end();
        else res.write(`data: ${text}\n\n`);
      }
    },
    flooded: () => flooded,
    nextCut: () => new Promise((resolve) => cutWaiters.push(resolve)),
    nextHang: () => new Promise((resolve) => hangWaiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The HTML page `/page` sends: what a proxy with live reload puts its script into. */
export const PAGE = '<!doctype html><html><head><title>p</title></head><body><p>proxied</p></body></html>\n';

/**
 * `/page`: PAGE with ETag `"page-1"`, gzip-compressed when the request accepts gzip; `?chunked` without a
 * Content-Length, in two writes; `?mib=N` N MiB of HTML without a Content-Length; `?die` promises 1000 bytes
 * and dies after 10.
 */
function sendPage(req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): void {
  const fields: http.OutgoingHttpHeaders = {
    'Content-Type': 'text/html; charset=utf-8',
    ETag: '"page-1"',
    'Cache-Control': 'max-age=60',
  };
  if (query.has('die')) {
    res.writeHead(200, { ...fields, 'Content-Length': 1000 });
    res.write('<html><bo', () => res.socket?.destroy());
    return;
  }
  if (query.has('mib')) {
    res.writeHead(200, fields);
    const line = Buffer.from(`<p>${'x'.repeat(1016)}</p>\n`); // 1 KiB
    for (let i = 0; i < Number(query.get('mib')) * 1024; i++) res.write(line);
    res.end('</body></html>\n');
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? zlib.gzipSync(PAGE) : Buffer.from(PAGE);
  if (gzip) fields['Content-Encoding'] = 'gzip';
  if (query.has('chunked')) {
    res.writeHead(200, fields);
    res.write(body.subarray(0, 20));
    res.end(body.subarray(20));
    return;
  }
  res.writeHead(200, { ...fields, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
