/** A Hono app as a module for `basehttp --app` (its default export is the app: an object with `fetch`). */
import { Hono } from 'hono';
import type { FetchInfo } from '../../src/index.js';

// basehttp passes `info` as Hono's env: `c.env.clientAddress`, `c.env.server`.
const app = new Hono<{ Bindings: FetchInfo }>();
app.get('/', (c) => c.text('Hello from Hono'));
app.get('/pid', (c) => c.text(String(process.pid)));
app.get('/who', (c) => c.text(c.env.clientAddress[0]));
export default app;
