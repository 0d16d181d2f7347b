/** Handlers shared by the server tests. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BaseHTTPRequestHandler } from '../../src/index.js';

export class Hello extends BaseHTTPRequestHandler {
  doGET(): void {
    const body = Buffer.from(`hello ${this.path}`);
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }

  doHEAD(): void {
    this.sendResponse(200);
    this.sendHeader('Content-Length', 42);
    this.endHeaders();
    this.wfile.write('this body must never be sent');
  }
}

/** Echoes the request body, chunked (no Content-Length), plus the method and trailer count. */
export class Echo extends Hello {
  async doPOST(): Promise<void> {
    const body = await this.readBody();
    this.sendResponse(200);
    this.sendHeader('X-Method', this.command);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }

  doPUT(): Promise<void> {
    return this.doPOST();
  }

  /** Answers without reading the body. */
  doDELETE(): void {
    this.sendResponse(204);
    this.endHeaders();
  }
}

/** Streams `?n` bytes through pipeline() with no Content-Length: chunked under HTTP/1.1. */
export class Stream extends BaseHTTPRequestHandler {
  static produced = 0;

  async doGET(): Promise<void> {
    const total = Number(new URL(this.path, 'http://x').searchParams.get('n') ?? '0');
    this.sendResponse(200);
    this.endHeaders();
    const piece = Buffer.alloc(64 * 1024, 0x61);
    Stream.produced = 0;
    const source = Readable.from(
      (function* () {
        for (let sent = 0; sent < total; sent += piece.length) {
          Stream.produced += Math.min(piece.length, total - sent);
          yield piece.subarray(0, Math.min(piece.length, total - sent));
        }
      })(),
    );
    await pipeline(source, this.wfile);
  }
}

/** Waits before answering, to test shutdown and timeouts with a request in flight. */
export class Slow extends BaseHTTPRequestHandler {
  async doGET(): Promise<void> {
    await new Promise((r) => setTimeout(r, 300));
    this.sendResponse(200);
    this.sendHeader('Content-Length', 4);
    this.endHeaders();
    this.wfile.write('slow');
  }
}

/** Fails in the ways handlers fail. */
export class Broken extends BaseHTTPRequestHandler {
  doGET(): void {
    switch (this.path) {
      case '/sync':
        throw new Error('sync failure');
      case '/split':
        this.sendResponse(200);
        this.sendHeader('X-Evil', 'a\r\nSet-Cookie: injected=1');
        this.endHeaders();
        return;
      case '/nothing':
        return;
      case '/late': {
        this.sendResponse(200);
        this.endHeaders();
        this.wfile.write('partial');
        throw new Error('failure after the head');
      }
      case '/late-header':
        this.sendResponse(200);
        this.sendHeader('Content-Length', 2);
        this.endHeaders();
        this.wfile.write('ok');
        this.sendHeader('X-Too-Late', '1');
        return;
      case '/overrun': // declares 3 bytes, writes 4
      case '/short': {
        // declares 10 bytes, writes 6
        const [declared, body] = this.path === '/overrun' ? [3, 'four'] : [10, 'six b.'];
        this.sendResponse(200);
        this.sendHeader('Content-Length', declared);
        this.endHeaders();
        this.wfile.write(body);
        return;
      }
    }
    this.sendError(404, 'No <such> page', 'The path was "not" found & that is <b>that</b>');
  }

  async doPOST(): Promise<void> {
    await Promise.resolve();
    throw new TypeError('async failure');
  }
}

/** Reads the body only after a pause, to show the client is held back meanwhile. */
export class LazyReader extends BaseHTTPRequestHandler {
  static release: (() => void) | null = null;

  async doPOST(): Promise<void> {
    await new Promise<void>((resolve) => (LazyReader.release = resolve));
    let size = 0;
    for await (const chunk of this.rfile) size += (chunk as Buffer).length;
    this.sendResponse(200);
    this.sendHeader('Content-Length', String(size).length);
    this.endHeaders();
    this.wfile.write(String(size));
  }
}
