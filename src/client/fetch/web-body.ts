import { BODY_END } from '../../protocol/message-reader.js';
import type { HTTPResponse } from '../response.js';

/** What a body's failure becomes on its web stream (fetch: a TypeError, an abort's reason as it is). */
type Failure = (err: unknown) => unknown;

/**
 * The body of `res` as a web stream pulled straight off the connection: a read takes the bytes that have
 * arrived without waiting (no promise per piece beyond the stream's own), nothing is read ahead of the
 * reader (high-water mark 0, so the socket pauses past its buffer: backpressure), and cancelling closes the
 * connection, as leaving a body half-read must.
 */
export function webBody(res: HTTPResponse, failure: Failure): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull: (controller) => pullFrom(res, controller, failure),
      cancel: () => res.close(),
    },
    { highWaterMark: 0 },
  );
}

function pullFrom(
  res: HTTPResponse,
  controller: ReadableStreamDefaultController<Uint8Array>,
  failure: Failure,
): Promise<void> | undefined {
  let piece;
  try {
    piece = res.readAvailable();
  } catch (err) {
    controller.error(failure(err));
    return undefined;
  }
  if (piece === BODY_END) controller.close();
  else if (piece !== null) controller.enqueue(piece);
  else return res.whenReadable().then(() => pullFrom(res, controller, failure));
  return undefined;
}

/** A decoded body (or any async source) as a web stream, one piece per read, closed on cancel. */
export function webBodyFrom(source: AsyncIterable<Buffer>, failure: Failure): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done === true) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          controller.error(failure(err));
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
