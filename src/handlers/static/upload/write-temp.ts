import { createWriteStream, promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteBudget } from './byte-budget.js';
import { tempPathIn } from './place-file.js';

/**
 * Streams `body` into a new temporary file in `dir`, at the pace the disk takes it (backpressure: the body
 * is read no faster than it is written), counting it against `budget`. Returns the temporary file's path;
 * when anything fails (the client leaves, the body times out, the budget runs out, the disk fills) the file
 * is removed before the error is thrown, so an aborted upload leaves nothing.
 */
export async function writeTemp(body: Readable, dir: string, budget: ByteBudget): Promise<string> {
  const temp = tempPathIn(dir);
  try {
    const file = createWriteStream(temp, { flags: 'wx' });
    await (budget.limited ? pipeline(body, budget.counter(), file) : pipeline(body, file));
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw err;
  }
  return temp;
}
