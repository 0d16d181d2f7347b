/**
 * The peers for the fetch benchmark: one Fetch-API app served by `--server basehttp|hono-node|srvx`.
 * `--app hono` is a Hono app with a hello route; `--app bare` is `() => new Response('Hello, World!')`.
 */
import { serve as honoServe } from '@hono/node-server';
import { Hono } from 'hono';
import { serve as srvxServe } from 'srvx/node';
import { serve } from '../../src/index.js';

const arg = (name: string): string => process.argv[process.argv.indexOf(`--${name}`) + 1]!;
const port = Number(arg('port'));

function app(): (request: Request) => Response | Promise<Response> {
  if (arg('app') === 'bare') return () => new Response('Hello, World!');
  const hono = new Hono();
  hono.get('/', (c) => c.text('Hello, World!'));
  return hono.fetch;
}

const fetch = app();
switch (arg('server')) {
  case 'basehttp':
    serve({ fetch, port, hostname: '127.0.0.1', logStream: null });
    break;
  case 'hono-node':
    honoServe({ fetch, port, hostname: '127.0.0.1' });
    break;
  case 'srvx':
    srvxServe({ fetch, port, hostname: '127.0.0.1', silent: true });
    break;
  default:
    throw new Error(`unknown --server ${arg('server')}`);
}
