/**
 * A child process for the upload test: serves an app that streams each request body straight back, and
 * reports how far its memory grew while doing so. Prints its port, then serves until SIGTERM.
 */
import { serve } from '../../src/index.js';

/** What is still held, not what the collector has yet to free: the child runs with --expose-gc. */
const gc = (globalThis as { gc?: () => void }).gc!;
gc();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeap = baseline.heapUsed;
let peakBuffers = baseline.arrayBuffers;
const sample = (): void => {
  gc();
  const now = process.memoryUsage();
  peakRss = Math.max(peakRss, now.rss);
  peakHeap = Math.max(peakHeap, now.heapUsed);
  peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
};

const server = serve({
  hostname: '127.0.0.1',
  port: 0,
  logStream: null,
  fetch(request) {
    if (request.method === 'GET')
      return Response.json({
        rss: peakRss - baseline.rss,
        heap: peakHeap - baseline.heapUsed,
        buffers: peakBuffers - baseline.arrayBuffers,
      });
    let n = 0;
    const watched = request.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (++n % 64 === 0) sample();
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(watched, { headers: { 'content-type': 'application/octet-stream' } });
  },
});
await server.ready();
process.stdout.write(`${server.port}\n`);
process.once('SIGTERM', () => void server.close());
