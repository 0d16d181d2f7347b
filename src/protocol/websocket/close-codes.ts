import { isUtf8 } from 'node:buffer';

/** Close codes the server sends (RFC 6455 §7.4.1), by name. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Reported, never sent: the close frame had no code. */
  NoStatus: 1005,
  /** Reported, never sent: the connection ended without a close frame. */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

/**
 * Whether a close frame may carry `code` (RFC 6455 §7.4): 1000-1003, 1007-1014 (1012-1014 registered
 * since), 3000-4999 for libraries and applications. 1004-1006 and 1015 are reserved for reports, never
 * the wire; everything else is unassigned. A peer's close frame with another code fails the connection (1002).
 */
export function isWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Whether an application may close with `code`: 1000 or 3000-4999, the rule of the browser's `close()`. */
export function isApplicationCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/** The longest close reason: a control frame's 125 bytes less the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** A peer's close frame, read: its code (1005 when it had none) and reason. */
export interface ClosePayload {
  readonly code: number;
  readonly reason: string;
}

/**
 * Reads a close frame's payload (RFC 6455 §5.5.1): empty, or a 2-byte code and a UTF-8 reason. Returns the
 * close code to fail the connection with instead when it breaks the rules: 1002 for a 1-byte payload or a
 * code not allowed on the wire, 1007 for a reason that is not UTF-8.
 */
export function parseClosePayload(payload: Buffer): ClosePayload | number {
  if (payload.length === 0) return { code: CloseCode.NoStatus, reason: '' };
  if (payload.length === 1) return CloseCode.ProtocolError;
  const code = payload.readUInt16BE(0);
  if (!isWireCloseCode(code)) return CloseCode.ProtocolError;
  const reason = payload.subarray(2);
  if (!isUtf8(reason)) return CloseCode.InvalidPayload;
  return { code, reason: reason.toString('utf8') };
}

/** A close frame's payload: the code and the reason in UTF-8 (callers keep it within 123 bytes); empty for 1005. */
export function closePayload(code: number, reason: string): Buffer {
  if (code === CloseCode.NoStatus) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
  out.writeUInt16BE(code, 0);
  out.write(reason, 2, 'utf8');
  return out;
}
