/** WebSocket frame opcodes (RFC 6455 §5.2); 3-7 and 11-15 are reserved and fail the connection. */
export const Opcode = {
  /** Continues the data message a text or binary frame without FIN started. */
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** Whether an opcode is a control frame's (close, ping, pong and the reserved 11-15): bit 3 set. */
export function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}
