/**
 * `npm run bench [area...]`: runs each benchmark area in turn (all by default). Each area starts its
 * servers, loads them with wrk on loopback, and prints its own table with ratios against its peers.
 */
import os from 'node:os';
import { machineLine } from './lib.js';

const AREAS: Record<string, string> = {
  hello: './hello.js',
  fetch: './fetch.js',
  static: './static.js',
  upload: './upload.js',
  https: './https.js',
  client: './client.js',
  workers: './workers.js',
  reload: './reload.js',
  conformance: './conformance.js',
  load: './load.js',
  websocket: './websocket.js',
  proxy: './proxy.js',
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(AREAS);
console.log(machineLine());
for (const name of names) {
  const path = AREAS[name];
  if (path === undefined) {
    console.error(`unknown benchmark area: ${name} (have: ${Object.keys(AREAS).join(', ')})`);
    process.exit(2);
  }
  let mod: { run: () => Promise<void> };
  try {
    mod = (await import(path)) as { run: () => Promise<void> };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && wanted.length === 0) continue;
    throw err;
  }
  // When each area started and how busy the machine was then: a figure from a loaded machine says so itself.
  const [load] = os.loadavg();
  console.log(`\n[${name}] ${new Date().toISOString().slice(0, 16)} UTC, load average ${load!.toFixed(1)}`);
  await mod.run();
}
