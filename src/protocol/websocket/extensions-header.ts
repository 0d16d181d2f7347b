import { TCHAR, isToken } from '../tokens.js';

/** One offer of a Sec-WebSocket-Extensions value: the extension's name and its parameters, in order. */
export interface ExtensionOffer {
  /** The extension token, as sent (`permessage-deflate`). */
  name: string;
  /**
   * Each parameter as `[name, value]`, repeats kept (a negotiator declines them); `true` for a parameter
   * without a value, the unescaped text for a quoted one.
   */
  params: Array<[string, string | true]>;
}

/**
 * A Sec-WebSocket-Extensions value that breaks RFC 6455 §9.1's grammar. The handshake that meets one answers
 * 400: the client sent something no server can read, so no declining of offers applies.
 */
export class ExtensionHeaderError extends Error {
  /** Stable identifier to test for instead of the message. */
  readonly code = 'BH_ERR_EXTENSION_HEADER';

  constructor(message = 'malformed Sec-WebSocket-Extensions') {
    super(message);
    this.name = 'ExtensionHeaderError';
  }
}

const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a Sec-WebSocket-Extensions value (several field lines joined with ", "): `1#extension`, each
 * `token *( ";" token [ "=" ( token / quoted-string ) ] )`, optional whitespace around the separators, empty
 * list members skipped (RFC 9110 §5.6.1). A quoted value must be a token once unescaped (RFC 6455 §9.1).
 * Throws ExtensionHeaderError for anything else; returns the offers in order otherwise.
 */
export function parseExtensions(value: string): ExtensionOffer[] {
  const cursor = { s: value, i: 0 };
  const offers: ExtensionOffer[] = [];
  for (;;) {
    skipSpace(cursor);
    if (cursor.i >= value.length) break;
    if (value.charCodeAt(cursor.i) === COMMA) {
      cursor.i++;
      continue;
    }
    const offer: ExtensionOffer = { name: token(cursor, 'extension name'), params: [] };
    offers.push(offer);
    skipSpace(cursor);
    while (value.charCodeAt(cursor.i) === SEMICOLON) {
      cursor.i++;
      skipSpace(cursor);
      const name = token(cursor, 'parameter name');
      skipSpace(cursor);
      let param: string | true = true;
      if (value.charCodeAt(cursor.i) === EQUALS) {
        cursor.i++;
        skipSpace(cursor);
        param = value.charCodeAt(cursor.i) === DQUOTE ? quotedToken(cursor) : token(cursor, 'value');
        skipSpace(cursor);
      }
      offer.params.push([name, param]);
    }
    if (cursor.i < value.length && value.charCodeAt(cursor.i) !== COMMA) {
      throw new ExtensionHeaderError(`malformed Sec-WebSocket-Extensions at offset ${cursor.i}`);
    }
  }
  if (offers.length === 0) throw new ExtensionHeaderError('empty Sec-WebSocket-Extensions');
  return offers;
}

/** Position in the value being parsed. */
interface Cursor {
  s: string;
  i: number;
}

function skipSpace(c: Cursor): void {
  while (c.i < c.s.length && (c.s.charCodeAt(c.i) === 0x20 || c.s.charCodeAt(c.i) === 0x09)) c.i++;
}

/** Reads a non-empty token at the cursor. */
function token(c: Cursor, what: string): string {
  const start = c.i;
  while (c.i < c.s.length) {
    const ch = c.s.charCodeAt(c.i);
    if (ch > 0xff || TCHAR[ch] !== 1) break;
    c.i++;
  }
  if (c.i === start)
    throw new ExtensionHeaderError(`Sec-WebSocket-Extensions: no ${what} at offset ${start}`);
  return c.s.slice(start, c.i);
}

/** Reads a quoted-string at the cursor (on its opening quote) whose unescaped text is a token. */
function quotedToken(c: Cursor): string {
  const start = c.i++;
  let text = '';
  while (c.i < c.s.length) {
    let ch = c.s.charCodeAt(c.i++);
    if (ch === DQUOTE) {
      if (!isToken(text)) break;
      return text;
    }
    if (ch === BACKSLASH) {
      if (c.i >= c.s.length) break;
      ch = c.s.charCodeAt(c.i++);
    }
    text += String.fromCharCode(ch);
  }
  throw new ExtensionHeaderError(`Sec-WebSocket-Extensions: bad quoted value at offset ${start}`);
}
