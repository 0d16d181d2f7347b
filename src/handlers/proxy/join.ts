import type { Socket } from 'node:net';
import type { SwitchedConnection } from '../../client/response-waiter.js';
import type { TakenOverConnection } from '../../connection/exchange.js';

/**
 * How long a tunnel's socket may be silent before the kernel probes its peer (TCP keepalive). A tunnel's
 * bytes are not read as HTTP, so no request timer guards it, and a peer gone without a FIN or RST (a laptop
 * shut, a NAT that forgot the flow) would hold both sockets forever. Node sends 10 probes 1 s apart (Node 20
 * and 24 alike, strace shows), so such a tunnel closes about 70 s after its last byte; a live peer answers
 * the probes in its kernel, so an idle but open WebSocket stays.
 */
export const TUNNEL_KEEPALIVE_MS = 60_000;

/**
 * Joins the client's connection to the backend's after a 101, byte for byte both ways, each side read no
 * faster than the other takes it (a write refused pauses the reader until 'drain'). The bytes each side sent
 * past its head go first. An end on one side ends the other once what it sent is written; a close closes
 * the other too (at once after an error). The server's shutdown deadline destroys the client's socket, and so
 * the tunnel; a peer that vanished is found by TCP keepalive (TUNNEL_KEEPALIVE_MS).
 */
export function joinSockets(client: TakenOverConnection, backend: SwitchedConnection): void {
  const near = client.socket;
  const far = backend.socket;
  near.setKeepAlive(true, TUNNEL_KEEPALIVE_MS);
  far.setKeepAlive(true, TUNNEL_KEEPALIVE_MS);
  if (backend.head.length > 0) near.write(backend.head);
  if (client.head.length > 0) far.write(client.head);
  backend.read((chunk) => {
    // The chunk is a view of the client socket's read buffer: it is copied before it is queued.
    if (near.write(Buffer.from(chunk))) return true;
    near.once('drain', () => far.resume());
    return false;
  });
  near.on('data', (chunk: Buffer) => {
    if (far.write(chunk)) return;
    near.pause();
    far.once('drain', () => near.resume());
  });
  endTogether(near, far);
  endTogether(far, near);
  near.resume();
}

/**
 * `from` ending ends `to` (after its queued bytes): a half-close goes on. `from` closed, `to` is closed too,
 * at once on an error, else once what it queued is written (a peer keeping its half open holds nothing).
 */
function endTogether(from: Socket, to: Socket): void {
  from.once('end', () => to.end());
  from.once('close', (hadError) => {
    if (hadError || to.writableFinished) {
      to.destroy();
      return;
    }
    to.once('finish', () => to.destroy());
    if (!to.writableEnded) to.end();
  });
}
