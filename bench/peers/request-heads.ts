/**
 * The one thing the bare responders read of a request: where its head ends. `onHead` is called with the
 * bytes and the start and end (the offset of `\r\n\r\n`) of every head a read completes; a head cut across
 * reads is kept until its end arrives, so a client that writes a request in pieces is answered once, not
 * never. wrk's requests arrive whole, so the common read keeps nothing. Request bodies are not expected.
 */
export function requestHeads(
  onHead: (data: Buffer, start: number, end: number) => void,
): (chunk: Buffer) => void {
  let partial: Buffer | null = null;
  return (chunk) => {
    const data = partial === null ? chunk : Buffer.concat([partial, chunk]);
    let start = 0;
    for (let end = data.indexOf('\r\n\r\n'); end >= 0; end = data.indexOf('\r\n\r\n', start)) {
      onHead(data, start, end);
      start = end + 4;
    }
    partial = start === data.length ? null : data.subarray(start);
  };
}
