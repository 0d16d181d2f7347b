/** NO_PROXY lists by curl's rules, and which proxy the environment names for a URL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noProxyRule } from '../../src/client/no-proxy.js';
import { parseProxy, proxyURLFor } from '../../src/client/proxy.js';
import { InvalidURL } from '../../src/index.js';

describe('NO_PROXY', () => {
  it('matches hosts by the table (curl: suffixes at dots, leading dots, IPs, CIDRs, ports, *)', () => {
    const table: Array<[list: string, host: string, port: number, bypass: boolean]> = [
      ['example.com', 'example.com', 80, true],
      ['example.com', 'www.example.com', 80, true],
      ['example.com', 'notexample.com', 80, false],
      ['example.com', 'example.com.evil.test', 80, false],
      ['.example.com', 'www.example.com', 80, true],
      ['.example.com', 'example.com', 80, true],
      ['*.example.com', 'a.b.example.com', 443, true],
      ['EXAMPLE.com', 'Www.Example.COM', 80, true],
      ['example.com', 'example.com.', 80, true],
      ['localhost,127.0.0.1', '127.0.0.1', 8080, true],
      ['localhost,127.0.0.1', '127.0.0.2', 8080, false],
      ['10.0.0.0/8', '10.20.30.40', 80, true],
      ['10.0.0.0/8', '11.0.0.1', 80, false],
      ['10.0.0.0/8', '10.example.com', 80, false],
      ['::1', '[::1]', 80, true],
      ['fd00::/8', 'fd12::5', 443, true],
      ['[::1]:8080', '::1', 8080, true],
      ['[::1]:8080', '::1', 8081, false],
      ['example.com:8080', 'example.com', 8080, true],
      ['example.com:8080', 'example.com', 80, false],
      ['*', 'anything.test', 1, true],
      ['a.test, *', 'b.test', 1, true],
      ['a.test b.test', 'b.test', 80, true],
      ['', 'example.com', 80, false],
      [' , ,', 'example.com', 80, false],
      ['127.0.0.1', 'localhost', 80, false],
    ];
    for (const [list, host, port, bypass] of table) {
      assert.equal(noProxyRule(list)(host, port), bypass, `${JSON.stringify(list)} ${host}:${port}`);
    }
  });
});

describe('the proxy the environment names', () => {
  const url = (text: string): URL => new URL(text);
  it('by scheme, lower case first, then ALL_PROXY; NO_PROXY and an explicit noProxy bypass it', () => {
    const env = {
      http_proxy: 'http://lower:1',
      HTTP_PROXY: 'http://upper:2',
      HTTPS_PROXY: 'http://secure:3',
      ALL_PROXY: 'http://all:4',
      NO_PROXY: 'internal.test',
    };
    const fromEnv = { proxy: 'env' };
    assert.equal(proxyURLFor(url('http://a.test/'), fromEnv, env), 'http://lower:1');
    assert.equal(proxyURLFor(url('https://a.test/'), fromEnv, env), 'http://secure:3');
    assert.equal(proxyURLFor(url('http://a.test/'), fromEnv, { ...env, http_proxy: '' }), 'http://upper:2');
    assert.equal(proxyURLFor(url('https://a.test/'), fromEnv, { ALL_PROXY: 'http://all:4' }), 'http://all:4');
    assert.equal(proxyURLFor(url('http://x.internal.test/'), fromEnv, env), null);
    assert.equal(proxyURLFor(url('http://a.test/'), { proxy: 'env', noProxy: 'a.test' }, env), null);
    assert.equal(proxyURLFor(url('http://a.test/'), {}, env), null, 'the environment only when asked');
    assert.equal(proxyURLFor(url('http://a.test/'), { proxy: 'http://p:5', noProxy: '*' }, env), null);
    assert.equal(proxyURLFor(url('http://a.test/'), { proxy: 'http://p:5' }, env), 'http://p:5');
  });

  it('ignores HTTP_PROXY under CGI (httpoxy), as Python and Go do', () => {
    const env = { HTTP_PROXY: 'http://from-a-header:1', REQUEST_METHOD: 'GET' };
    assert.equal(proxyURLFor(url('http://a.test/'), { proxy: 'env' }, env), null);
    assert.equal(
      proxyURLFor(url('http://a.test/'), { proxy: 'env' }, { ...env, http_proxy: 'http://p:2' }),
      'http://p:2',
    );
  });

  it('parses proxy URLs as curl: http:// when no scheme, port 1080 by default, credentials decoded', () => {
    assert.deepEqual(parseProxy('proxy.test'), {
      host: 'proxy.test',
      port: 1080,
      authorization: null,
      label: 'http://proxy.test:1080',
    });
    const withUser = parseProxy('http://us%40er:p%3Ass@[::1]:3128');
    assert.equal(withUser.host, '::1');
    assert.equal(withUser.port, 3128);
    assert.equal(withUser.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    assert.equal(withUser.label, 'http://[::1]:3128');
    assert.throws(() => parseProxy('https://proxy.test'), InvalidURL);
    assert.throws(() => parseProxy('socks5://proxy.test'), InvalidURL);
  });
});
