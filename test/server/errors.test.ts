import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HTTPServer, HTTPSServer } from '../../src/index.js';
import { InvalidServerOptionError, TLSCredentialsError } from '../../src/server/errors.js';
import { Hello } from './handlers.js';

describe('server errors: named classes with stable codes', () => {
  it('an option that cannot work is an InvalidServerOptionError (a TypeError)', () => {
    for (const options of [{ proxyProtocol: true }, { trustProxy: ['10.0.0.0/99'] }]) {
      assert.throws(
        () => new HTTPServer({ port: 0 }, Hello, options),
        (err: unknown) =>
          err instanceof InvalidServerOptionError &&
          err instanceof TypeError &&
          err.name === 'InvalidServerOptionError' &&
          err.code === 'BH_ERR_INVALID_SERVER_OPTION',
      );
    }
  });

  it('an unusable certificate or key is a TLSCredentialsError', () => {
    const certfile = join(tmpdir(), 'basehttp-no-such-cert.pem');
    assert.throws(() => new HTTPSServer({ port: 0 }, Hello, { certfile }), {
      name: 'TLSCredentialsError',
      code: 'BH_ERR_TLS_CREDENTIALS',
      message: `cannot read the certificate file ${certfile}: no such file`,
    });
    assert.throws(() => new HTTPSServer({ port: 0 }, Hello, { certfile }), TLSCredentialsError);
  });
});
