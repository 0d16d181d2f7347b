import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadStatusLine,
  ConnectionClosed,
  HTTPException,
  IncompleteRead,
  InvalidHeader,
  InvalidOption,
  InvalidURL,
  LineTooLong,
  PoolClosed,
  RemoteDisconnected,
  ResponseNotReady,
  TimeoutError,
} from '../../src/client/errors.js';
import { HTTPConnection, HeaderValueError, Pool, request } from '../../src/index.js';
import { ParseError } from '../../src/protocol/errors.js';
import { rawServer } from './raw-server.js';

/** Asserts that `err` is an instance of `Class` whose name is the class's and whose code is `code`. */
function isError(err: unknown, Class: abstract new (...args: never[]) => Error, code: string): true {
  assert.ok(err instanceof Class, `${String(err)} is a ${Class.name}`);
  assert.equal(err.name, Class.name);
  assert.equal((err as Error & { code: unknown }).code, code);
  return true;
}

describe('client errors: a named class and a stable code for each failure', () => {
  it('every class keeps its code (callers test the code, not the message)', () => {
    const codes: Array<[HTTPException | InvalidOption, string]> = [
      [new HTTPException('x'), 'BH_ERR_HTTP'],
      [new RemoteDisconnected('x'), 'BH_ERR_REMOTE_DISCONNECTED'],
      [new IncompleteRead(Buffer.alloc(0), null), 'BH_ERR_INCOMPLETE_READ'],
      [new BadStatusLine('x'), 'BH_ERR_BAD_STATUS_LINE'],
      [new LineTooLong('x'), 'BH_ERR_LINE_TOO_LONG'],
      [new InvalidURL('x'), 'BH_ERR_INVALID_URL'],
      [new InvalidHeader('x'), 'BH_ERR_INVALID_HEADER'],
      [new TimeoutError('x'), 'BH_ERR_TIMEOUT'],
      [new ResponseNotReady('x'), 'BH_ERR_RESPONSE_NOT_READY'],
      [new ConnectionClosed('x'), 'BH_ERR_CONNECTION_CLOSED'],
      [new PoolClosed('x'), 'BH_ERR_POOL_CLOSED'],
      [new InvalidOption('x'), 'BH_ERR_INVALID_OPTION'],
    ];
    for (const [err, code] of codes) isError(err, err.constructor as new () => Error, code);
  });

  it('a request on a closed pool is PoolClosed', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    assert.equal(await (await pool.request({ path: '/' })).text(), 'ok');
    pool.close();
    await assert.rejects(pool.request({ path: '/' }), (err) =>
      isError(err, PoolClosed, 'BH_ERR_POOL_CLOSED'),
    );
    await s.close();
  });

  it('pool settings out of range are InvalidOption, a RangeError', () => {
    for (const options of [{ connections: 0 }, { pipelining: 1.5 }]) {
      assert.throws(
        () => new Pool('http://127.0.0.1', options),
        (err) => isError(err, InvalidOption, 'BH_ERR_INVALID_OPTION') && err instanceof RangeError,
      );
    }
  });

  it('an origin or URL the client cannot use is InvalidURL, what the URL parser said as its cause', async () => {
    assert.throws(
      () => new Pool('ftp://127.0.0.1'),
      (err) => isError(err, InvalidURL, 'BH_ERR_INVALID_URL'),
    );
    assert.throws(
      () => new Pool('no scheme here'),
      (err) => isError(err, InvalidURL, 'BH_ERR_INVALID_URL') && (err as Error).cause instanceof TypeError,
    );
    await assert.rejects(request('http://[::1'), (err) => isError(err, InvalidURL, 'BH_ERR_INVALID_URL'));
  });

  it("closing the connection fails what waits on it with ConnectionClosed: a head's wait, a body's read", async () => {
    // Answers the first request with the head and half the body, and never more.
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello'));
    const silent = await rawServer(() => {});
    const waiting = new HTTPConnection('127.0.0.1', silent.port);
    await waiting.request('GET', '/');
    const head = waiting.getresponse();
    waiting.close();
    await assert.rejects(head, (err) => isError(err, ConnectionClosed, 'BH_ERR_CONNECTION_CLOSED'));

    const reading = new HTTPConnection('127.0.0.1', s.port);
    await reading.request('GET', '/');
    const res = await reading.getresponse();
    assert.equal((await res.read(5)).toString(), 'hello');
    reading.close();
    await assert.rejects(res.read(), (err) => isError(err, ConnectionClosed, 'BH_ERR_CONNECTION_CLOSED'));
    await s.close();
    await silent.close();
  });

  it('a server that drops the connection before answering is RemoteDisconnected', async () => {
    const s = await rawServer((socket) => socket.end());
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    await assert.rejects(conn.getresponse(), (err) =>
      isError(err, RemoteDisconnected, 'BH_ERR_REMOTE_DISCONNECTED'),
    );
    conn.close();
    await s.close();
  });

  it('a bad header is InvalidHeader; a bad method, target or host is InvalidURL; nothing is sent', async () => {
    const s = await rawServer(() => {});
    const badHeader = (err: unknown): boolean =>
      isError(err, InvalidHeader, 'BH_ERR_INVALID_HEADER') &&
      (err as Error).cause instanceof HeaderValueError;
    const badURL = (err: unknown): boolean =>
      isError(err, InvalidURL, 'BH_ERR_INVALID_URL') && !(err instanceof InvalidHeader);
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await assert.rejects(conn.request('GET', '/', { headers: { 'X-A': 'v\r\nX-B: w' } }), badHeader);
    await assert.rejects(conn.request('GET', '/', { headers: [['Bad Name', 'v']] }), badHeader);
    await assert.rejects(conn.request('GET', '/', { headers: { Host: 'a\nb' } }), badHeader);
    await assert.rejects(conn.request('GET', '/a b'), badURL);
    await assert.rejects(conn.request('GE T', '/'), badURL);
    conn.putrequest('GET', '/');
    conn.putheader('X-Evil', 'a\nb');
    await assert.rejects(conn.endheaders(), badHeader);
    conn.putrequest('GET', '/a\r\nb');
    await assert.rejects(conn.endheaders(), badURL);
    const badHost = new HTTPConnection('exa\nmple', s.port);
    await assert.rejects(badHost.request('GET', '/'), badURL);
    badHost.putrequest('GET', '/');
    await assert.rejects(badHost.endheaders(), badURL);
    const pool = new Pool(`http://127.0.0.1:${s.port}`);
    await assert.rejects(pool.request({ path: '/', headers: { 'X-A': 'v\0' } }), badHeader);
    await assert.rejects(pool.request({ path: '/\n' }), badURL);
    pool.close();
    assert.equal(s.connections, 0, 'nothing was sent');
    await s.close();
  });

  /** What `answer` makes `conn.getresponse()` and then `res.read()` fail with (null: that step succeeded). */
  async function failures(answer: string): Promise<{ head: unknown; body: unknown }> {
    const s = await rawServer((socket) => socket.write(answer));
    const conn = new HTTPConnection('127.0.0.1', s.port);
    await conn.request('GET', '/');
    let head: unknown = null;
    let body: unknown = null;
    try {
      const res = await conn.getresponse();
      await res.read().catch((err: unknown) => (body = err));
    } catch (err) {
      head = err;
    }
    conn.close();
    await s.close();
    return { head, body };
  }

  it('the kind of a refused response picks the exception, the ParseError as its cause', async () => {
    const kindOf = (err: unknown): string => {
      const cause = (err as Error).cause;
      assert.ok(cause instanceof ParseError, `${String(err)} has a ParseError cause`);
      return cause.kind;
    };
    const garbage = await failures('SSH-2.0-OpenSSH\r\n\r\n');
    assert.ok(isError(garbage.head, BadStatusLine, 'BH_ERR_BAD_STATUS_LINE'));
    assert.equal(kindOf(garbage.head), 'bad-start-line');
    const badLength = await failures('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n');
    assert.equal(kindOf(badLength.head), 'bad-content-length');
    assert.ok(badLength.head instanceof BadStatusLine);
    const fields = Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('');
    const tooMany = await failures(`HTTP/1.1 200 OK\r\n${fields}Content-Length: 0\r\n\r\n`);
    assert.ok(isError(tooMany.head, LineTooLong, 'BH_ERR_LINE_TOO_LONG'));
    assert.equal(kindOf(tooMany.head), 'too-many-fields');
    // A trailer line that goes on past the limit, its end never coming.
    const trailer = `X-T: ${'t'.repeat(70_000)}`;
    const bigTrailer = await failures(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n${trailer}`,
    );
    assert.equal(bigTrailer.head, null);
    assert.ok(isError(bigTrailer.body, IncompleteRead, 'BH_ERR_INCOMPLETE_READ'));
    assert.equal((bigTrailer.body as IncompleteRead).partial.toString(), 'ok');
    assert.equal(kindOf(bigTrailer.body), 'fields-too-large');
  });
});
