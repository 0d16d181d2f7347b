import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serve } from '../../src/index.js';
import { curl } from '../helpers/curl.js';
import { startFetch } from './fetch-helpers.js';

const Native = globalThis.Response;

describe("serve()'s lightweight global Response", () => {
  it('is installed by serve(), and fastResponse: false keeps Node’s', async () => {
    const kept = serve({
      fetch: () => new Response('x'),
      port: 0,
      hostname: '127.0.0.1',
      fastResponse: false,
    });
    assert.equal(globalThis.Response, Native);
    await kept.close();
    const { server } = await startFetch(() => new Response('x'));
    assert.notEqual(globalThis.Response, Native);
    await server.close();
  });

  it('behaves as Node’s Response: instanceof, body readers, statics, validation', async () => {
    const { server, port } = await startFetch(async () => {
      const text = new Response('héllo', { status: 201, headers: { 'x-a': '1' } });
      const copy = text.clone();
      const checks = {
        instance: text instanceof Response && text instanceof Native && new Native('n') instanceof Response,
        status: text.status,
        ok: text.ok,
        type: text.headers.get('content-type'),
        text: await text.text(),
        copy: await copy.text(),
        bytes: [...new Uint8Array(await new Response(new Uint8Array([1, 2])).arrayBuffer())],
        json: await Response.json({ a: 1 }).json(),
        badStatus: throwsName(() => new Response('x', { status: 99 })),
        bodyOn204: throwsName(() => new Response('x', { status: 204 })),
        badField: throwsName(() => new Response('x', { headers: { 'bad name': 'v' } })),
      };
      return Response.json(checks);
    });
    try {
      assert.deepEqual(JSON.parse((await curl(port, '/')).body), {
        instance: true,
        status: 201,
        ok: true,
        type: 'text/plain;charset=UTF-8',
        text: 'héllo',
        copy: 'héllo',
        bytes: [1, 2],
        json: { a: 1 },
        badStatus: 'RangeError',
        bodyOn204: 'TypeError',
        badField: 'TypeError',
      });
    } finally {
      await server.close();
    }
  });
});

function throwsName(f: () => unknown): string {
  try {
    f();
    return 'nothing';
  } catch (err) {
    return (err as Error).name;
  }
}
