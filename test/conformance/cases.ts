/**
 * RFC 9112 framing and parsing cases with the answer a strict server gives. Used by the conformance test
 * (basehttp must pass all) and by `npm run bench conformance` (the same list against peer servers).
 * `status` is the expected final status; `close` whether the server must close the connection after it.
 * Cases that a server must accept end with a second request on the connection, answered with 200, to prove
 * the framing stayed in step.
 */
export interface Case {
  name: string;
  request: string;
  status: number;
  close: boolean;
}

const NEXT = 'GET /next HTTP/1.1\r\nHost: t\r\n\r\n';

const accepted = (name: string, request: string): Case => ({
  name,
  request: request + NEXT,
  status: 200,
  close: false,
});
const refused = (name: string, request: string, status = 400): Case => ({
  name,
  request,
  status,
  close: true,
});

export const CASES: Case[] = [
  accepted('simple GET', 'GET / HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('POST with Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello'),
  accepted(
    'chunked POST with extension and trailer',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: 1\r\n\r\n',
  ),
  accepted('leading empty line', '\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('bare LF line ends', 'GET / HTTP/1.1\nHost: t\n\n'),
  accepted('absolute-form target', 'GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('HTTP/1.0 without Host, keep-alive', 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'),
  accepted('identical Content-Length values', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2, 2\r\n\r\nab'),
  accepted(
    'Transfer-Encoding in upper case',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\na\r\n0\r\n\r\n',
  ),
  accepted(
    'Expect: 100-continue with body sent anyway',
    'POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab',
  ),
  refused('missing Host in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n'),
  refused('two Host fields', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'),
  refused('Host with a space', 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n'),
  refused('lowercase version', 'GET / http/1.1\r\nHost: t\r\n\r\n'),
  refused('malformed version', 'GET / HTTP/1.1.1\r\nHost: t\r\n\r\n'),
  refused('version 1', 'GET / HTTP/1\r\nHost: t\r\n\r\n'),
  refused('HTTP/2.0 request line', 'GET / HTTP/2.0\r\nHost: t\r\n\r\n', 505),
  refused('missing version', 'GET /\r\nHost: t\r\n\r\n'),
  refused('two spaces in request line', 'GET  / HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('tab in request line', 'GET\t/ HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('invalid method character', 'G@T / HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('control character in target', 'GET /\x7f HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('space before colon', 'GET / HTTP/1.1\r\nHost : t\r\n\r\n'),
  refused('empty field name', 'GET / HTTP/1.1\r\nHost: t\r\n: x\r\n\r\n'),
  refused('field without colon', 'GET / HTTP/1.1\r\nHost: t\r\nnocolon\r\n\r\n'),
  refused('invalid field name character', 'GET / HTTP/1.1\r\nHost: t\r\nA\x01B: x\r\n\r\n'),
  refused('NUL in field value', 'GET / HTTP/1.1\r\nHost: t\r\nA: x\x00y\r\n\r\n'),
  refused('bare CR in field value', 'GET / HTTP/1.1\r\nHost: t\r\nA: x\ry\r\n\r\n'),
  refused('obs-fold', 'GET / HTTP/1.1\r\nHost: t\r\nA: x\r\n y\r\n\r\n'),
  refused('whitespace before first field', 'GET / HTTP/1.1\r\n Host: t\r\n\r\n'),
  refused(
    'Content-Length and Transfer-Encoding',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ),
  refused(
    'differing Content-Length fields',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
  ),
  refused('differing Content-Length list', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\nab'),
  refused('signed Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\na'),
  refused('negative Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n'),
  refused('space inside Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1 0\r\n\r\n'),
  refused('empty Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length:\r\n\r\n'),
  refused(
    'Content-Length overflow',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 18446744073709551617\r\n\r\n',
  ),
  refused('chunked not last', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n'),
  refused(
    'chunked twice',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
  ),
  refused(
    'unknown transfer coding',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n',
    501,
  ),
  refused('Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
  refused('non-hex chunk size', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n'),
  refused(
    'chunk size overflow',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nab\r\n0\r\n\r\n',
  ),
  refused(
    'missing CRLF after chunk data',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n',
  ),
  refused(
    'bare LF after chunk size',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n',
  ),
  refused('request line over 8 KiB', `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: t\r\n\r\n`, 414),
  refused('header section over 64 KiB', `GET / HTTP/1.1\r\nHost: t\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`, 431),
  refused('more than 100 header fields', `GET / HTTP/1.1\r\nHost: t\r\n${'X: y\r\n'.repeat(101)}\r\n`, 431),
  refused('unknown expectation', 'GET / HTTP/1.1\r\nHost: t\r\nExpect: the-unexpected\r\n\r\n', 417),
];

const chunked = (body: string): string =>
  `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
/** A request line of exactly `n` bytes, without its line end. */
const requestLine = (n: number): string => `GET /${'a'.repeat(n - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
/** A head whose field lines (line ends included, the closing blank line not) take exactly `n` bytes. */
const fieldBytes = (n: number): string => `GET / HTTP/1.1\r\nHost: t\r\nX: ${'a'.repeat(n - 9 - 5)}\r\n\r\n`;

/**
 * Cases where the RFCs leave room or basehttp sets a limit: the answer is basehttp's documented choice (see
 * docs/protocol.md), so these are tested but not scored against other servers.
 */
export const CHOICES: Case[] = [
  accepted(
    'identical Content-Length list without spaces',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1,1\r\n\r\na',
  ),
  accepted(
    'Content-Length with leading zeros',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 002\r\n\r\nab',
  ),
  accepted('whitespace after a chunk size', chunked('2 \r\nab\r\n0\r\n\r\n')),
  accepted('chunk size with leading zeros', chunked('0002\r\nab\r\n0000\r\n\r\n')),
  accepted('quoted chunk extension with ; and \\"', chunked('2;a="b;c\\"d";e=f\r\nab\r\n0;last\r\n\r\n')),
  accepted('5000 one-byte chunks', chunked(`${'1\r\na\r\n'.repeat(5000)}0\r\n\r\n`)),
  accepted(
    'Content-Length, Transfer-Encoding and Host in trailers change nothing',
    chunked('2\r\nab\r\n0\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\nHost: evil\r\n\r\n'),
  ),
  accepted(
    'obs-text (0x80-0xFF) in a field value',
    'GET / HTTP/1.1\r\nHost: t\r\nX: caf\xe9 \x80\xff\r\n\r\n',
  ),
  accepted('fragment in the target', 'GET /p?q#frag HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('empty Host', 'GET / HTTP/1.1\r\nHost:\r\n\r\n'),
  accepted('absolute-form whose host differs from Host', 'GET http://other/p HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n'),
  accepted('HTTP/1.2 is answered as HTTP/1.1', 'GET / HTTP/1.2\r\nHost: t\r\n\r\n'),
  accepted('empty Expect', 'GET / HTTP/1.1\r\nHost: t\r\nExpect:\r\n\r\n'),
  accepted('request line of exactly 8192 bytes', `${requestLine(8192)}\r\nHost: t\r\n\r\n`),
  accepted('field lines of exactly 64 KiB', fieldBytes(65536)),
  accepted('exactly 100 fields', `GET / HTTP/1.1\r\nHost: t\r\n${'X: y\r\n'.repeat(99)}\r\n`),
  refused('request line of 8193 bytes', `${requestLine(8193)}\r\nHost: t\r\n\r\n`, 414),
  refused('field lines of 64 KiB + 1', fieldBytes(65537), 431),
  refused('HTTP/0.9 request line alone', 'GET /\r\n'),
  refused('HTTP/0.9 version', 'GET / HTTP/0.9\r\n\r\n', 505),
  refused('GET *', 'GET * HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('two identical Host fields', 'GET / HTTP/1.1\r\nHost: t\r\nHost: t\r\n\r\n'),
  refused('userinfo in an absolute-form target', 'GET http://u:p@t/ HTTP/1.1\r\nHost: t\r\n\r\n'),
  refused('Transfer-Encoding: identity', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity\r\n\r\n'),
  refused(
    'chunked;param as the last coding',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked;q=1\r\n\r\n',
  ),
  refused('whitespace before a chunk size', chunked(' 2\r\nab\r\n0\r\n\r\n')),
  refused('0x prefix on a chunk size', chunked('0x2\r\nab\r\n0\r\n\r\n')),
  refused('bare LF ending the trailer section', chunked('2\r\nab\r\n0\r\n\n')),
  refused('obs-fold in trailers', chunked('2\r\nab\r\n0\r\nX: a\r\n b\r\n\r\n')),
  refused('DEL in a field value', 'GET / HTTP/1.1\r\nHost: t\r\nX: a\x7fb\r\n\r\n'),
  refused('raw UTF-8 in a field name', 'GET / HTTP/1.1\r\nHost: t\r\nX\xc3\xa9: a\r\n\r\n'),
  refused(
    'Expect: 100-continue and another expectation',
    'GET / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue, x\r\n\r\n',
    417,
  ),
];
