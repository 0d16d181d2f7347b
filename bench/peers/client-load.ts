/**
 * One client's load for bench/client.ts, in its own process: `small` runs 50 request loops for 3 s and
 * prints requests/s and the client's CPU time per request in µs (user + system, from process.cpuUsage(): on
 * a shared machine this moves less than throughput does); `large` downloads one URL and prints bytes/s.
 */
import http from 'node:http';
import { Agent, Pool as UndiciPool, fetch as undiciFetch } from 'undici';
import { Pool, fetch as basehttpFetch } from '../../src/index.js';

const [client, mode, url] = process.argv.slice(2) as [string, string, string];
const IN_FLIGHT = 50;
const SECONDS = 3;

type Get = () => Promise<number>;

function makeGet(): Get {
  const target = new URL(url);
  // The fetch peers: each reads the body as the standard API does, through the Response's arrayBuffer().
  if (client === 'basehttp fetch') {
    const pool = new Pool(target.origin, { connections: IN_FLIGHT });
    return async () => (await (await basehttpFetch(url, { pool })).arrayBuffer()).byteLength;
  }
  if (client === 'undici fetch') {
    const dispatcher = new Agent({ connections: IN_FLIGHT });
    return async () => (await (await undiciFetch(url, { dispatcher })).arrayBuffer()).byteLength;
  }
  if (client === 'node fetch') {
    // Node's global fetch with its own global dispatcher (no connection limit): as users call it.
    return async () => (await (await fetch(url)).arrayBuffer()).byteLength;
  }
  if (client === 'basehttp') {
    const pool = new Pool(target.origin, { connections: IN_FLIGHT });
    return async () => {
      const res = await pool.request({ path: target.pathname });
      return (await res.arrayBuffer()).length;
    };
  }
  if (client === 'undici') {
    const pool = new UndiciPool(target.origin, { connections: IN_FLIGHT });
    return async () => {
      const res = await pool.request({ method: 'GET', path: target.pathname });
      return (await res.body.arrayBuffer()).byteLength;
    };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  return () =>
    new Promise((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          let n = 0;
          res.on('data', (d: Buffer) => (n += d.length));
          res.on('end', () => resolve(n));
        })
        .on('error', reject);
    });
}

const get = makeGet();
if (mode === 'small') {
  for (let i = 0; i < 200; i++) await get(); // warm-up
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (Date.now() < until) {
        await get();
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const rps = done / ((Date.now() - started) / 1000);
  console.log(`${Math.round(rps)} ${((used.user + used.system) / done).toFixed(2)}`);
} else {
  const started = Date.now();
  const bytes = await get();
  console.log(Math.round(bytes / ((Date.now() - started) / 1000)));
}
process.exit(0);
