/**
 * Files of the certificate cache, written so that another process (a worker, a second `basehttp`) never reads
 * half of one: the bytes go to a temporary file with the final mode, which then takes the name in one step.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';

/** A temp file beside `file`, with `mode` from its creation on (a key is never readable by others). */
async function writeTemp(file: string, data: string, mode: number): Promise<string> {
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(temp, data, { mode, flag: 'wx' });
  return temp;
}

/** Writes `file` whole or not at all, replacing what was there. */
export async function replaceFile(file: string, data: string, mode: number): Promise<void> {
  const temp = await writeTemp(file, data, mode);
  await fsp.rename(temp, file).catch(async (err: unknown) => {
    await fsp.rm(temp, { force: true });
    throw err;
  });
}

/**
 * Writes `file` whole only if it does not exist yet, and returns what it holds then: ours, or the content of
 * the process that got there first (a hard link fails on an existing name, where rename would replace it).
 */
export async function createFileOnce(file: string, data: string, mode: number): Promise<string> {
  const temp = await writeTemp(file, data, mode);
  try {
    await fsp.link(temp, file);
    return data;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fsp.readFile(file, 'utf8');
  } finally {
    await fsp.rm(temp, { force: true });
  }
}
