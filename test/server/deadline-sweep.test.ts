import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { Connection } from '../../src/connection/connection.js';
import { EXPIRIES_PER_TURN } from '../../src/connection/deadline-sweep.js';
import { withServer } from '../helpers/server.js';

it('cuts slowloris connections at the headers timeout a batch per event-loop turn, each with its 408', async () => {
  const COUNT = 300;
  // Turns of the event loop, counted by a setImmediate chain; timed-out connections are tallied per turn.
  let turn = 0;
  let counting = true;
  const tick = (): void => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  const perTurn = new Map<number, number>();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the connection as `this`
  const timedOut = Connection.prototype.timedOut;
  Connection.prototype.timedOut = function (this: Connection): void {
    perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    timedOut.call(this);
  };
  try {
    await withServer(BaseHTTPRequestHandler, { headersTimeout: 1000 }, async ({ port }) => {
      const answers: string[] = [];
      const sockets = Array.from({ length: COUNT }, () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => {});
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('close', () => answers.push(text));
        socket.write('GET / HTTP/1.1\r\nHost: t\r\nX-Slow: '); // a head that never ends
        return socket;
      });
      for (let i = 0; i < 300 && answers.length < COUNT; i++) await sleep(20);
      for (const socket of sockets) socket.destroy();
      assert.equal(answers.filter((a) => a.startsWith('HTTP/1.1 408 ')).length, COUNT);
    });
  } finally {
    Connection.prototype.timedOut = timedOut;
    counting = false;
  }
  const most = Math.max(...perTurn.values());
  assert.ok(most <= EXPIRIES_PER_TURN, `${most} connections cut in one turn of the event loop`);
});
