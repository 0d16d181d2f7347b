import type { RequestBodyStream } from '../../connection/request-body.js';

/**
 * The engine's request body as a web ReadableStream. It pulls one chunk per read, so the engine's own
 * backpressure holds: a body read slowly (or not at all) stays in the socket, never in this stream.
 * (`Readable.toWeb` would not do: on Node 20 its queue counts chunks, not bytes, and fills without reading.)
 */
export function webRequestBody(body: RequestBodyStream): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const step = await chunks.next();
        if (step.done === true) controller.close();
        else controller.enqueue(step.value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
