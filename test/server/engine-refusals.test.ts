/**
 * What a refusal the engine makes itself costs (issue 16, finding 11): thousands come at once under a
 * slowloris attack, so they carry no stack trace of the engine's frames, and the same error page is built
 * once, not once a refusal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTPStatusError, ParseError } from '../../src/index.js';
import { errorPageBytes } from '../../src/server/error-page.js';
import { BaseHTTPRequestHandler } from '../../src/server/request-handler.js';
import { exchangeRaw, parseResponses, serverForSuite } from '../helpers/server.js';

const refusals: HTTPStatusError[] = [];

/** Records what each refusal was made with, and refuses as every handler does. */
class Recording extends BaseHTTPRequestHandler {
  override refuse(error: HTTPStatusError): void {
    refusals.push(error);
    super.refuse(error);
  }
}

/** Sends `data` and returns the status of the one response and the refusal the handler was given. */
async function refusal(port: number, data: string) {
  refusals.length = 0;
  const { bytes } = await exchangeRaw(port, data, { untilClose: true }); // a refusal closes
  const responses = parseResponses(bytes);
  assert.equal(responses.length, 1, bytes.toString('latin1'));
  assert.equal(refusals.length, 1);
  return { status: responses[0]!.status, error: refusals[0]! };
}

/** Whether an error's stack lists call frames (lines `    at …`) after its message. */
const hasFrames = (error: Error): boolean => /\n\s+at /.test(error.stack ?? '');

describe('refusals made by the engine', () => {
  const ctx = serverForSuite(Recording, { headersTimeout: 300 });

  it('cuts a head that does not arrive in time with a 408 whose error has no stack frames', async () => {
    const { status, error } = await refusal(ctx.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-');
    assert.equal(status, 408);
    assert.ok(error instanceof HTTPStatusError);
    assert.equal(error.status, 408);
    assert.match(error.stack ?? '', /^HTTPStatusError: Request Timeout/);
    assert.equal(hasFrames(error), false, error.stack);
  });

  it('refuses an unreadable head with the parse error, stack and all, as the cause', async () => {
    const { status, error } = await refusal(ctx.port, 'GET / HTTP/1.1\r\nHo\x01');
    assert.equal(status, 400);
    assert.equal(hasFrames(error), false, error.stack);
    assert.ok(error.cause instanceof ParseError);
    assert.ok(hasFrames(error.cause));
  });

  it('leaves the stack of an HTTPStatusError made elsewhere as it is', () => {
    assert.ok(hasFrames(new HTTPStatusError(404, 'Not Found')));
  });
});

describe('error page bytes', () => {
  const format = '<p>%(code)d %(message)s: %(explain)s</p>';

  it('are built once for the same page asked for again', () => {
    const first = errorPageBytes(format, 408, 'Request Timeout', 'Took too long');
    assert.equal(first.toString(), '<p>408 Request Timeout: Took too long</p>');
    assert.equal(errorPageBytes(format, 408, 'Request Timeout', 'Took too long'), first);
  });

  it('are built again for another code, message, explanation or format', () => {
    const first = errorPageBytes(format, 408, 'Request Timeout', 'x');
    assert.equal(
      errorPageBytes(format, 400, 'Request Timeout', 'x').toString(),
      '<p>400 Request Timeout: x</p>',
    );
    assert.equal(errorPageBytes(format, 408, '<b>', 'x').toString(), '<p>408 &lt;b&gt;: x</p>');
    assert.equal(
      errorPageBytes(format, 408, 'Request Timeout', 'y').toString(),
      '<p>408 Request Timeout: y</p>',
    );
    assert.equal(
      errorPageBytes(`${format}!`, 408, 'Request Timeout', 'x').toString(),
      `${first.toString()}!`,
    );
  });
});
