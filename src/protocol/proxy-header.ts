import { isIPv4, isIPv6 } from 'node:net';

/**
 * The PROXY protocol header a load balancer (haproxy, AWS NLB, …) sends before the client's bytes, in its
 * text (v1) or binary (v2) form, as haproxy's proxy-protocol.txt describes them.
 */
export interface ProxyHeader {
  /** 1: the text form; 2: the binary form. */
  version: 1 | 2;
  /**
   * 'proxy': relayed for the client in `source`. 'local': the proxy's own connection (v2 LOCAL, a health
   * check) or one it could not describe (v1 UNKNOWN): the real endpoints stand.
   */
  command: 'proxy' | 'local';
  /** The client; null when the header names none (LOCAL, UNKNOWN, or a v2 family without IP addresses). */
  source: ProxyEndpoint | null;
  /** The address the client connected to; null as for `source`. */
  destination: ProxyEndpoint | null;
  /** v2 type-length-value extensions after the addresses (ALPN, authority, unique id, …), in order. */
  tlvs: Array<{
    /** The TLV type byte (PP2_TYPE_ALPN is 0x01, …). */
    type: number;
    /** Its value, copied. */
    value: Buffer;
  }>;
  /** Bytes the header took. */
  length: number;
}

/** One end of a proxied connection. */
export interface ProxyEndpoint {
  /** IPv4 or IPv6 address, as text. */
  address: string;
  /** TCP port. */
  port: number;
}

/** A header that cannot be a valid PROXY header: the connection must be dropped. */
export class ProxyHeaderError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_PROXY_HEADER';

  constructor(message: string) {
    super(message);
    this.name = 'ProxyHeaderError';
  }
}

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** The longest v1 line, CRLF included (`PROXY UNKNOWN` with two full IPv6 addresses and ports). */
const V1_MAX = 107;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED = 16;
/** Address block bytes by v2 family: AF_INET, AF_INET6, AF_UNIX. */
const V2_ADDRESS_BYTES = [0, 12, 36, 216];

/**
 * Reads a PROXY header from bytes as they arrive, in pieces of any size (one byte at a time included). It
 * refuses as soon as the bytes cannot begin a valid header — an HTTP request sent straight to the port is
 * refused at its first byte — and never holds more than one header's worth of bytes.
 */
export class ProxyHeaderParser {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Fewest bytes before parsing again is worth it. */
  private need = 1;

  /**
   * Takes the next bytes. Returns the header and the bytes after it (the start of the proxied stream) once
   * the header is complete, null while more are needed; throws ProxyHeaderError for an invalid header.
   */
  push(chunk: Buffer): {
    /** The parsed header. */
    header: ProxyHeader;
    /** Bytes after the header: the start of the proxied stream. */
    rest: Buffer;
  } | null {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) return null;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [data];
    const parsed = parseProxyHeader(data);
    if (typeof parsed === 'number') {
      this.need = parsed;
      return null;
    }
    this.chunks = [];
    return { header: parsed, rest: data.subarray(parsed.length) };
  }
}

/**
 * Parses the PROXY header at the start of `data`: the header, or the number of bytes needed before trying
 * again when it is incomplete. Throws ProxyHeaderError when `data` cannot start a valid header.
 */
export function parseProxyHeader(data: Buffer): ProxyHeader | number {
  if (data.length === 0) return 1;
  if (data[0] === V2_SIGNATURE[0]) return parseV2(data);
  if (data[0] === V1_PREFIX[0]) return parseV1(data);
  throw new ProxyHeaderError('not a PROXY protocol header');
}

/** Whether `data` starts like `prefix`, as far as either goes. */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.compare(prefix, 0, n, 0, n) === 0;
}

function parseV1(data: Buffer): ProxyHeader | number {
  if (!startsLike(data, V1_PREFIX)) throw new ProxyHeaderError('not a PROXY protocol header');
  const scanned = Math.min(data.length, V1_MAX);
  const lf = data.subarray(0, scanned).indexOf(0x0a);
  const cr = data.subarray(0, scanned).indexOf(0x0d);
  // Only CRLF ends the line: a lone CR or LF is an error, not an end.
  if (lf >= 0 && cr !== lf - 1) throw new ProxyHeaderError('v1 line not ended by CRLF');
  if (cr >= 0 && cr < scanned - 1 && data[cr + 1] !== 0x0a)
    throw new ProxyHeaderError('v1 line not ended by CRLF');
  if (lf < 0) {
    if (data.length >= V1_MAX) throw new ProxyHeaderError(`v1 line longer than ${V1_MAX} bytes`);
    return data.length + 1;
  }
  const line = data.toString('latin1', 0, cr);
  const length = lf + 1;
  if (line === 'PROXY UNKNOWN' || line.startsWith('PROXY UNKNOWN ')) return local(1, length);
  const fields = line.split(' ');
  if (fields.length !== 6) throw new ProxyHeaderError(`malformed v1 line: ${JSON.stringify(line)}`);
  const [, family, source, destination, sourcePort, destinationPort] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const isAddress =
    family === 'TCP4' ? isIPv4 : family === 'TCP6' ? (s: string) => isIPv6(s) && !s.includes('%') : null;
  if (isAddress === null) throw new ProxyHeaderError(`unknown v1 protocol: ${JSON.stringify(family)}`);
  if (!isAddress(source) || !isAddress(destination))
    throw new ProxyHeaderError(`v1 addresses are not ${family}: ${JSON.stringify(line)}`);
  return {
    version: 1,
    command: 'proxy',
    source: { address: source, port: v1Port(sourcePort) },
    destination: { address: destination, port: v1Port(destinationPort) },
    tlvs: [],
    length,
  };
}

/** A v1 port: decimal, 0–65535, no leading zero (which could be read as octal). */
function v1Port(text: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(text) || Number(text) > 65535)
    throw new ProxyHeaderError(`malformed v1 port: ${JSON.stringify(text)}`);
  return Number(text);
}

function parseV2(data: Buffer): ProxyHeader | number {
  if (!startsLike(data, V2_SIGNATURE)) throw new ProxyHeaderError('not a PROXY protocol header');
  if (data.length > 12) {
    if (data[12]! >> 4 !== 2) throw new ProxyHeaderError(`unsupported v2 version ${data[12]! >> 4}`);
    if ((data[12]! & 0x0f) > 1) throw new ProxyHeaderError(`unknown v2 command ${data[12]! & 0x0f}`);
  }
  if (data.length > 13) {
    if (data[13]! >> 4 > 3) throw new ProxyHeaderError(`unknown v2 address family ${data[13]! >> 4}`);
    if ((data[13]! & 0x0f) > 2) throw new ProxyHeaderError(`unknown v2 transport ${data[13]! & 0x0f}`);
  }
  if (data.length < V2_FIXED) return data.length + 1; // byte by byte, so a wrong byte is refused at once
  const length = V2_FIXED + data.readUInt16BE(14);
  if (data.length < length) return length;
  // LOCAL: the block, whatever it holds, is skipped (the spec says to discard it).
  if ((data[12]! & 0x0f) === 0) return local(2, length);
  const family = data[13]! >> 4;
  const transport = data[13]! & 0x0f;
  const addressBytes = V2_ADDRESS_BYTES[family]!;
  if (length - V2_FIXED < addressBytes)
    throw new ProxyHeaderError(`v2 address block too short for family ${family}`);
  const tlvs = readTLVs(data, V2_FIXED + addressBytes, length);
  // UNSPEC family or transport, or AF_UNIX: no IP address to take; the real endpoints stand.
  if (transport === 0 || (family !== 1 && family !== 2))
    return { ...local(2, length), command: 'proxy', tlvs };
  const size = family === 1 ? 4 : 16;
  const format = family === 1 ? ipv4Text : ipv6Text;
  const ports = V2_FIXED + 2 * size;
  return {
    version: 2,
    command: 'proxy',
    source: { address: format(data, V2_FIXED), port: data.readUInt16BE(ports) },
    destination: { address: format(data, V2_FIXED + size), port: data.readUInt16BE(ports + 2) },
    tlvs,
    length,
  };
}

function local(version: 1 | 2, length: number): ProxyHeader {
  return { version, command: 'local', source: null, destination: null, tlvs: [], length };
}

/** The TLVs between `from` and `end`, each checked to fit: a length that runs past the header is an error. */
function readTLVs(data: Buffer, from: number, end: number): ProxyHeader['tlvs'] {
  const tlvs: ProxyHeader['tlvs'] = [];
  let at = from;
  while (at < end) {
    if (end - at < 3) throw new ProxyHeaderError('truncated v2 TLV');
    const valueLength = data.readUInt16BE(at + 1);
    if (at + 3 + valueLength > end) throw new ProxyHeaderError('v2 TLV runs past the header');
    tlvs.push({ type: data[at]!, value: Buffer.from(data.subarray(at + 3, at + 3 + valueLength)) });
    at += 3 + valueLength;
  }
  return tlvs;
}

function ipv4Text(data: Buffer, at: number): string {
  return `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`, mapped IPv4 dotted. */
function ipv6Text(data: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(at + 2 * i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return `::ffff:${ipv4Text(data, at + 12)}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
