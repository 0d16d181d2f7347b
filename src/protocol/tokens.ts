/** Byte classes from RFC 9110 §5.6 and §5.5, as lookup tables so hot loops index instead of branching. */

const TCHAR_PUNCT = "!#$%&'*+-.^_`|~";

/** 1 where the byte may appear in a token (method, field name, transfer coding). */
export const TCHAR = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of TCHAR_PUNCT) TCHAR[ch.charCodeAt(0)] = 1;

/** 1 where the byte may appear in a field value: HTAB, SP, VCHAR and obs-text; never NUL, CR, LF or DEL. */
export const FIELD_VALUE_BYTE = new Uint8Array(256);
FIELD_VALUE_BYTE[0x09] = 1;
for (let c = 0x20; c <= 0x7e; c++) FIELD_VALUE_BYTE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) FIELD_VALUE_BYTE[c] = 1;

/** 1 where the byte may appear in a request-target: visible US-ASCII only (raw UTF-8 must be percent-encoded). */
export const TARGET_BYTE = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET_BYTE[c] = 1;

/** Whether every character of `s` is a token character. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}

/**
 * Whether `s` can be written as a field value: ISO-8859-1 only, and no NUL, CR, LF or other control but HTAB.
 * Writing one that fails this would either lose characters or split the message.
 */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE_BYTE[c] !== 1) return false;
  }
  return true;
}

/** Splits a comma-separated list field into its trimmed, non-empty members (RFC 9110 §5.6.1). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  // Walked by index, not split(): most list fields hold one member, and this path makes no array for it.
  let from = 0;
  for (;;) {
    const comma = value.indexOf(',', from);
    const item = value.slice(from, comma < 0 ? value.length : comma).trim();
    if (item !== '') out.push(item);
    if (comma < 0) return out;
    from = comma + 1;
  }
}
