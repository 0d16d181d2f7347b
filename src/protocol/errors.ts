/**
 * A message the protocol layer refuses. `status` is what a server answers with; after one of these the
 * framing of the connection is in doubt, so the connection is always closed.
 */
export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
