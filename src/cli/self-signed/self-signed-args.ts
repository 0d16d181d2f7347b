/** `--tls-self-signed` on the command line: the certificate made ready, or one error line. */
import type { ServeArgs } from '../serve-args.js';
import { SelfSignedCacheError, ensureSelfSigned, serverNames } from './self-signed.js';

/**
 * The `tls` of ServeArgs for the cached server certificate (made or renewed first), or null after one error
 * line when the cache cannot be used.
 */
export async function selfSignedTls(bind: string): Promise<NonNullable<ServeArgs['tls']> | null> {
  try {
    const { serverFile } = await ensureSelfSigned(serverNames(bind));
    return { certfile: serverFile };
  } catch (err) {
    if (!(err instanceof SelfSignedCacheError)) throw err;
    process.stderr.write(`basehttp: --tls-self-signed: ${err.message}\n`);
    return null;
  }
}
