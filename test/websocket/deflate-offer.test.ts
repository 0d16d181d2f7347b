import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DeflateOptionError,
  deflateThreshold,
  negotiateDeflate,
  type NegotiatedDeflate,
  type PerMessageDeflateOptions,
} from '../../src/protocol/websocket/deflate-offer.js';
import { ExtensionHeaderError, parseExtensions } from '../../src/protocol/websocket/extensions-header.js';

const DEFAULTS: NegotiatedDeflate = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

/** The answer to `offer` under `options`: the response value and the agreed parameters, or null. */
function answer(
  offer: string | undefined,
  options: PerMessageDeflateOptions | true = true,
): [string, Partial<NegotiatedDeflate>] | null {
  const result = negotiateDeflate(offer, options);
  if (result === null) return null;
  // Only the parameters that differ from the defaults, so each row says what it is about.
  const changed = Object.entries(result.params).filter(
    ([key, value]) => DEFAULTS[key as keyof NegotiatedDeflate] !== value,
  );
  return [result.responseValue, Object.fromEntries(changed)];
}

describe('parseExtensions: the grammar of RFC 6455 §9.1', () => {
  it('reads offers, parameters, token and quoted values, whitespace and empty members', () => {
    assert.deepEqual(parseExtensions('permessage-deflate'), [{ name: 'permessage-deflate', params: [] }]);
    assert.deepEqual(
      parseExtensions(' , foo ;a; b = 1 ;c="x\\y" ,, permessage-deflate\t;\tclient_max_window_bits ,'),
      [
        {
          name: 'foo',
          params: [
            ['a', true],
            ['b', '1'],
            ['c', 'xy'],
          ],
        },
        { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      ],
    );
  });

  for (const bad of [
    '',
    ' , ',
    ';a',
    'foo;',
    'foo;=1',
    'foo;a=',
    'foo;a=1 2',
    'foo bar',
    'foo;a="1',
    'foo;a=""',
    'foo;a="1 2"',
    'foo;a="\\',
    'foo;a=1;b="a"c',
    'fo(o',
    'foo;a=1=2',
    'permessage-deflate; server_max_window_bits=10; ',
    'p\u0100',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with ExtensionHeaderError`, () => {
      assert.throws(() => parseExtensions(bad), ExtensionHeaderError);
      assert.throws(
        () => negotiateDeflate(bad, true),
        (err: ExtensionHeaderError) => {
          return err.code === 'BH_ERR_EXTENSION_HEADER' && err.name === 'ExtensionHeaderError';
        },
      );
    });
  }
});

describe('negotiateDeflate: RFC 7692 §7 with the default options', () => {
  const rows: Array<[string | undefined, [string, Partial<NegotiatedDeflate>] | null]> = [
    [undefined, null],
    ['x-webkit-deflate-frame', null],
    ['permessage-deflate', ['permessage-deflate', {}]],
    [
      'permessage-deflate; server_no_context_takeover',
      ['permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ],
    [
      'permessage-deflate; client_no_context_takeover',
      ['permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ],
    // §7.1.2.1: the answer carries server_max_window_bits, same or smaller.
    [
      'permessage-deflate; server_max_window_bits=10',
      ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=8',
      ['permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 8 }],
    ],
    ['permessage-deflate; server_max_window_bits=15', ['permessage-deflate; server_max_window_bits=15', {}]],
    [
      'permessage-deflate; server_max_window_bits="12"',
      ['permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 12 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=09',
      ['permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }],
    ],
    // §7.1.2.2: without a value, a client only says it supports the parameter; nothing to answer by default.
    ['permessage-deflate; client_max_window_bits', ['permessage-deflate', {}]],
    [
      'permessage-deflate; client_max_window_bits=10',
      ['permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ],
    [
      'permessage-deflate; client_max_window_bits=8',
      ['permessage-deflate; client_max_window_bits=8', { clientMaxWindowBits: 8 }],
    ],
    // §5: declined for an unknown, repeated or invalid parameter.
    ['permessage-deflate; foo', null],
    ['permessage-deflate; server_no_context_takeover; server_no_context_takeover', null],
    ['permessage-deflate; client_max_window_bits; client_max_window_bits=10', null],
    ['permessage-deflate; server_no_context_takeover=1', null],
    ['permessage-deflate; client_no_context_takeover="x"', null],
    ['permessage-deflate; server_max_window_bits', null],
    ['permessage-deflate; server_max_window_bits=7', null],
    ['permessage-deflate; server_max_window_bits=16', null],
    ['permessage-deflate; server_max_window_bits=a', null],
    ['permessage-deflate; server_max_window_bits="1-2"', null],
    ['permessage-deflate; client_max_window_bits=7', null],
    ['permessage-deflate; client_max_window_bits=16', null],
    ['permessage-deflate; client_max_window_bits=+9', null],
    ['Permessage-Deflate', null],
    // §5.2's example: the first offer the server can take wins, unknown extensions are passed over.
    [
      'foo, permessage-deflate; server_max_window_bits=10, permessage-deflate',
      ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=7, permessage-deflate; client_max_window_bits',
      ['permessage-deflate', {}],
    ],
    // Several header lines, joined by the handshake.
    [
      'foo, bar; baz=2, permessage-deflate; client_no_context_takeover; client_max_window_bits',
      ['permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ],
    // Everything at once (an Autobahn 13.7-style offer).
    [
      'permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=9; server_max_window_bits=9',
      [
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9',
        {
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
          serverMaxWindowBits: 9,
          clientMaxWindowBits: 9,
        },
      ],
    ],
  ];
  for (const [offer, expected] of rows) {
    it(`${JSON.stringify(offer)} → ${JSON.stringify(expected?.[0] ?? null)}`, () => {
      assert.deepEqual(answer(offer), expected);
    });
  }
});

describe("negotiateDeflate: the server's options", () => {
  const rows: Array<[string, PerMessageDeflateOptions, [string, Partial<NegotiatedDeflate>] | null]> = [
    [
      'permessage-deflate',
      { serverNoContextTakeover: true },
      ['permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ],
    [
      'permessage-deflate',
      { clientNoContextTakeover: true },
      ['permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ],
    // false does not refuse what a client asks for: the client's request is granted.
    [
      'permessage-deflate; server_no_context_takeover',
      { serverNoContextTakeover: false },
      ['permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ],
    // The server may announce a smaller window of its own without being asked.
    [
      'permessage-deflate',
      { serverMaxWindowBits: 11 },
      ['permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=10',
      { serverMaxWindowBits: 12 },
      ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=13',
      { serverMaxWindowBits: 12 },
      ['permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 12 }],
    ],
    [
      'permessage-deflate; server_max_window_bits=13',
      { serverMaxWindowBits: 8 },
      ['permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 8 }],
    ],
    [
      'permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 10 },
      ['permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ],
    [
      'permessage-deflate; client_max_window_bits=9',
      { clientMaxWindowBits: 10 },
      ['permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }],
    ],
    [
      'permessage-deflate; client_max_window_bits=12',
      { clientMaxWindowBits: 10 },
      ['permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 15 }, ['permessage-deflate', {}]],
    // A client that cannot be held to the window the server requires is declined (its next offer may do).
    ['permessage-deflate', { clientMaxWindowBits: 10 }, null],
    [
      'permessage-deflate, permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 10 },
      ['permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ],
    ['permessage-deflate', { threshold: 0 }, ['permessage-deflate', {}]],
  ];
  for (const [offer, options, expected] of rows) {
    it(`${JSON.stringify(offer)} with ${JSON.stringify(options)} → ${JSON.stringify(expected?.[0] ?? null)}`, () => {
      assert.deepEqual(answer(offer, options), expected);
    });
  }

  for (const options of [
    { serverMaxWindowBits: 7 },
    { serverMaxWindowBits: 16 },
    { serverMaxWindowBits: 10.5 },
    { clientMaxWindowBits: 7 },
    { clientMaxWindowBits: 16 },
    { threshold: -1 },
    { threshold: 1.5 },
    { threshold: Number.NaN },
  ] as PerMessageDeflateOptions[]) {
    it(`refuses ${JSON.stringify(options)} with DeflateOptionError, offer or not`, () => {
      for (const offer of [undefined, 'permessage-deflate']) {
        assert.throws(
          () => negotiateDeflate(offer, options),
          (err: DeflateOptionError) => err instanceof TypeError && err.code === 'BH_ERR_DEFLATE_OPTION',
        );
      }
    });
  }

  it('gives the threshold the options set, 1024 by default', () => {
    assert.equal(deflateThreshold(true), 1024);
    assert.equal(deflateThreshold({}), 1024);
    assert.equal(deflateThreshold({ threshold: 0 }), 0);
    assert.equal(deflateThreshold({ threshold: 200 }), 200);
  });
});
