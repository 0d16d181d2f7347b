import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidServerOptionError } from '../../src/index.js';
import { backendPath, parseProxySpec, proxyRoute, routeFor } from '../../src/handlers/proxy/route.js';

describe('proxy routes', () => {
  it('a prefix matches at segment boundaries only: /api takes /api, /api/… and /api?…, not /apiary', () => {
    const routes = [proxyRoute('/api', 'http://127.0.0.1:3000')];
    for (const path of ['/api', '/api/', '/api/users/1', '/api?q=1']) {
      assert.equal(routeFor(routes, path)?.prefix, '/api', path);
    }
    for (const path of ['/apiary', '/ap', '/', '/x/api']) assert.equal(routeFor(routes, path), null, path);
  });

  it('the longest prefix wins; / takes everything else', () => {
    const routes = [
      proxyRoute('/', 'http://127.0.0.1:1'),
      proxyRoute('/api', 'http://127.0.0.1:2'),
      proxyRoute('/api/v2', 'http://127.0.0.1:3'),
    ];
    assert.equal(routeFor(routes, '/api/v2/x')?.origin, 'http://127.0.0.1:3');
    assert.equal(routeFor(routes, '/api/v1/x')?.origin, 'http://127.0.0.1:2');
    assert.equal(routeFor(routes, '/index.html')?.origin, 'http://127.0.0.1:1');
  });

  it('a URL without a path keeps the path; with one, the prefix is replaced (nginx proxy_pass)', () => {
    assert.equal(backendPath(proxyRoute('/api', 'http://h:3000'), '/api/x?q=1'), '/api/x?q=1');
    assert.equal(backendPath(proxyRoute('/api/', 'http://h/'), '/api/x?q=1'), '/x?q=1');
    assert.equal(backendPath(proxyRoute('/api', 'http://h/v1'), '/api/x'), '/v1/x');
    assert.equal(backendPath(proxyRoute('/api', 'http://h/v1'), '/api?q'), '/v1?q');
  });

  it('refuses what would map paths wrongly, or is no http(s) URL, with InvalidServerOptionError', () => {
    for (const [prefix, target] of [
      ['/api', 'http://h/'], // /api/x would become //x
      ['/api/', 'http://h/v1'], // /api/x would become /v1x
      ['api', 'http://h'],
      ['/a b', 'http://h'],
      ['/api', 'ftp://h'],
      ['/api', 'not a url'],
      ['/api', 'http://user:pw@h'],
      ['/api', 'http://h/?q=1'],
    ] as const) {
      assert.throws(() => proxyRoute(prefix, target), InvalidServerOptionError, `${prefix}=${target}`);
    }
    assert.throws(() => parseProxySpec('/api'), InvalidServerOptionError);
    assert.deepEqual(parseProxySpec('/api=http://h:1'), { prefix: '/api', target: 'http://h:1' });
  });
});
