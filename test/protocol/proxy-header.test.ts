import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyHeaderError, ProxyHeaderParser, type ProxyHeader } from '../../src/protocol/index.js';

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
const HTTP = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

/** A v2 header: version/command byte, family/transport byte, then the block (addresses, TLVs). */
function v2(verCmd: number, famProto: number, block: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(block.length);
  return Buffer.concat([SIG, Buffer.from([verCmd, famProto]), length, block]);
}

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.from([type, 0, 0]);
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

function ports(source: number, destination: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(source);
  b.writeUInt16BE(destination, 2);
  return b;
}

const ipv4Block = Buffer.concat([Buffer.from([203, 0, 113, 9, 10, 0, 0, 2]), ports(51234, 443)]);
const ipv6 = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');

/**
 * Feeds `bytes` (header and then HTTP) to a fresh parser whole, byte by byte, and split at every offset;
 * every way must give the same header and hand back exactly the bytes after it.
 */
function parse(bytes: Buffer): ProxyHeader {
  const ways: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
  for (let cut = 1; cut < bytes.length; cut++) ways.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  let first: ProxyHeader | null = null;
  for (const pieces of ways) {
    const parser = new ProxyHeaderParser();
    let result: ReturnType<ProxyHeaderParser['push']> = null;
    const after: Buffer[] = [];
    for (const piece of pieces) {
      if (result === null) result = parser.push(piece);
      else after.push(piece);
    }
    assert.ok(result !== null, `incomplete after ${pieces.length} pieces`);
    assert.deepEqual(Buffer.concat([result.rest, ...after]), bytes.subarray(result.header.length));
    if (first === null) first = result.header;
    else assert.deepEqual(result.header, first);
  }
  return first!;
}

/** The error for `bytes`, fed whole and byte by byte (where it must come at the first wrong byte or so). */
function refuse(bytes: Buffer, pattern: RegExp): void {
  assert.throws(() => new ProxyHeaderParser().push(bytes), pattern);
  const parser = new ProxyHeaderParser();
  assert.throws(() => {
    for (const b of bytes) parser.push(Buffer.from([b]));
  }, pattern);
}

describe('PROXY protocol v1', () => {
  it('TCP4: the client, the address it reached, and the bytes after the line', () => {
    const header = parse(Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.9 10.0.0.2 51234 443\r\n'), HTTP]));
    assert.deepEqual(header, {
      version: 1,
      command: 'proxy',
      source: { address: '203.0.113.9', port: 51234 },
      destination: { address: '10.0.0.2', port: 443 },
      tlvs: [],
      length: 43,
    });
  });

  it('TCP6, with port 0 and 65535', () => {
    const header = parse(Buffer.from('PROXY TCP6 2001:db8::1 ::ffff:10.0.0.2 0 65535\r\n'));
    assert.deepEqual(header.source, { address: '2001:db8::1', port: 0 });
    assert.deepEqual(header.destination, { address: '::ffff:10.0.0.2', port: 65535 });
  });

  it('UNKNOWN, short and long: the real endpoints stand, whatever follows it on the line', () => {
    for (const line of ['PROXY UNKNOWN\r\n', 'PROXY UNKNOWN ffff:: ffff:: 65535 65535\r\n']) {
      const header = parse(Buffer.concat([Buffer.from(line), HTTP]));
      assert.equal(header.command, 'local');
      assert.equal(header.source, null);
      assert.equal(header.length, line.length);
    }
  });

  it('the longest line (107 bytes) is read; one byte more is refused without waiting for its end', () => {
    const six = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
    const longest = `PROXY UNKNOWN ${six} ${six} 65535 65535\r\n`;
    assert.equal(longest.length, 107);
    assert.equal(parse(Buffer.from(longest)).length, 107);
    refuse(Buffer.from(`PROXY UNKNOWN ${six} ${six} 65535 655355\r\n`), /longer than 107 bytes/);
  });

  it('refuses every malformed line', () => {
    const cases: Array<[string, RegExp]> = [
      ['GET / HTTP/1.1\r\n', /not a PROXY protocol header/],
      ['POST / HTTP/1.1\r\n', /not a PROXY protocol header/],
      ['proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n', /not a PROXY protocol header/],
      ['PROXY\r\n', /not a PROXY protocol header/],
      ['PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n', /unknown v1 protocol/],
      ['PROXY UNKNOWNX\r\n', /malformed v1 line|unknown v1 protocol/],
      ['PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n', /not TCP4/],
      ['PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n', /not TCP6/],
      ['PROXY TCP6 fe80::1%eth0 2001:db8::1 1 2\r\n', /not TCP6/],
      ['PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n', /not TCP4/],
      ['PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n', /not TCP4/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n', /malformed v1 port/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n', /malformed v1 port/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n', /malformed v1 port/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', /malformed v1 line/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', /malformed v1 line/],
      ['PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n', /malformed v1 line/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n', /not ended by CRLF/],
      ['PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX\r\n', /not ended by CRLF/],
      ['PROXY UNKNOWN\n\r\n', /not ended by CRLF/],
      [`PROXY TCP4 ${'1'.repeat(120)}`, /longer than 107 bytes/],
    ];
    for (const [line, pattern] of cases) refuse(Buffer.from(line, 'latin1'), pattern);
  });

  it('refuses an HTTP request at its first byte, and a near miss at the byte that differs', () => {
    assert.throws(() => new ProxyHeaderParser().push(Buffer.from('G')), ProxyHeaderError);
    const parser = new ProxyHeaderParser();
    assert.equal(parser.push(Buffer.from('PRO')), null);
    assert.throws(() => parser.push(Buffer.from('P')), ProxyHeaderError);
  });
});

describe('PROXY protocol v2', () => {
  it('PROXY over TCP/IPv4: addresses, ports, and the bytes after the header', () => {
    const header = parse(Buffer.concat([v2(0x21, 0x11, ipv4Block), HTTP]));
    assert.deepEqual(header, {
      version: 2,
      command: 'proxy',
      source: { address: '203.0.113.9', port: 51234 },
      destination: { address: '10.0.0.2', port: 443 },
      tlvs: [],
      length: 28,
    });
  });

  it('PROXY over TCP/IPv6, addresses written as RFC 5952 says', () => {
    const cases: Array<[string, string]> = [
      ['2001 0db8 0000 0000 0000 0000 0000 0001', '2001:db8::1'],
      ['0000 0000 0000 0000 0000 ffff cb00 7109', '::ffff:203.0.113.9'],
      ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'],
      ['2001 0000 0000 0001 0000 0000 0000 0001', '2001:0:0:1::1'],
      ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'],
      ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
      ['fe80 0000 0000 0000 0000 0000 0000 0000', 'fe80::'],
      ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
      ['2001 0db8 aaaa bbbb cccc dddd eeee ffff', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff'],
    ];
    for (const [hex, text] of cases) {
      const block = Buffer.concat([ipv6(hex), ipv6('0000 0000 0000 0000 0000 0000 0000 0001'), ports(1, 2)]);
      const header = parse(v2(0x21, 0x21, block));
      assert.deepEqual(header.source, { address: text, port: 1 }, hex);
      assert.deepEqual(header.destination, { address: '::1', port: 2 });
    }
  });

  it('UDP is a valid transport too', () => {
    assert.equal(parse(v2(0x21, 0x12, ipv4Block)).source?.address, '203.0.113.9');
  });

  it('LOCAL (a health check): the real endpoints stand, and the block is skipped unread', () => {
    for (const block of [Buffer.alloc(0), ipv4Block, Buffer.from([0xff, 0xff])]) {
      const header = parse(Buffer.concat([v2(0x20, 0x11, block), HTTP]));
      assert.equal(header.command, 'local');
      assert.equal(header.source, null);
      assert.equal(header.length, 16 + block.length);
    }
  });

  it('UNSPEC and AF_UNIX carry no IP address: the real endpoints stand', () => {
    assert.equal(parse(v2(0x21, 0x00, Buffer.alloc(0))).source, null);
    assert.equal(parse(v2(0x21, 0x10, ipv4Block)).source, null);
    const unix = parse(v2(0x21, 0x31, Buffer.alloc(216, 0x61)));
    assert.equal(unix.command, 'proxy');
    assert.equal(unix.source, null);
  });

  it('TLVs after the addresses are read with their lengths checked, and skipped', () => {
    const tlvs = Buffer.concat([
      tlv(0x01, Buffer.from('http/1.1')),
      tlv(0x02, Buffer.from('example.com')),
      tlv(0x04, Buffer.alloc(0)),
      tlv(0xe0, Buffer.alloc(300, 7)),
    ]);
    const header = parse(Buffer.concat([v2(0x21, 0x11, Buffer.concat([ipv4Block, tlvs])), HTTP]));
    assert.deepEqual(header.source, { address: '203.0.113.9', port: 51234 });
    assert.deepEqual(
      header.tlvs.map((t) => [t.type, t.value.length]),
      [
        [0x01, 8],
        [0x02, 11],
        [0x04, 0],
        [0xe0, 300],
      ],
    );
    assert.equal(header.tlvs[1]!.value.toString(), 'example.com');
    assert.equal(header.length, 16 + ipv4Block.length + tlvs.length);
  });

  it('refuses every malformed header', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.concat([SIG.subarray(0, 5), Buffer.from('X')]), /not a PROXY protocol header/],
      [v2(0x11, 0x11, ipv4Block), /unsupported v2 version 1/],
      [v2(0x31, 0x11, ipv4Block), /unsupported v2 version 3/],
      [v2(0x22, 0x11, ipv4Block), /unknown v2 command 2/],
      [v2(0x2f, 0x11, ipv4Block), /unknown v2 command 15/],
      [v2(0x21, 0x41, ipv4Block), /unknown v2 address family 4/],
      [v2(0x21, 0x13, ipv4Block), /unknown v2 transport 3/],
      [v2(0x21, 0x11, ipv4Block.subarray(0, 8)), /too short for family 1/],
      [v2(0x21, 0x21, ipv4Block), /too short for family 2/],
      [v2(0x21, 0x31, Buffer.alloc(100)), /too short for family 3/],
      [v2(0x21, 0x11, Buffer.concat([ipv4Block, Buffer.from([1, 0])])), /truncated v2 TLV/],
      [v2(0x21, 0x11, Buffer.concat([ipv4Block, Buffer.from([1, 0, 9, 1, 2])])), /runs past the header/],
      [
        v2(0x21, 0x11, Buffer.concat([ipv4Block, tlv(4, Buffer.alloc(2)), Buffer.from([2, 0xff, 0xff])])),
        /runs past the header/,
      ],
    ];
    for (const [bytes, pattern] of cases) refuse(bytes, pattern);
  });

  it('waits for the whole header, however long its length says it is', () => {
    const bytes = v2(0x21, 0x11, Buffer.concat([ipv4Block, tlv(0xe1, Buffer.alloc(60_000))]));
    const parser = new ProxyHeaderParser();
    assert.equal(parser.push(bytes.subarray(0, 16)), null);
    assert.equal(parser.push(bytes.subarray(16, bytes.length - 1)), null);
    assert.equal(parser.push(bytes.subarray(bytes.length - 1))?.header.length, bytes.length);
  });
});
