/** What the banner says under `--tls-self-signed`: where the CA is and how to trust it. */
import path from 'node:path';
import { cacheFiles } from './cache-dir.js';

/** The CA file beside the server certificate `serverFile`, and the three ways to trust it. */
export function trustLine(serverFile: string): string {
  const ca = cacheFiles(path.dirname(serverFile)).caCert;
  return (
    `CA: ${ca} (trust it: curl --cacert ${ca}; Node: NODE_EXTRA_CA_CERTS=${ca}; ` +
    'browsers: import it into the system or browser certificate store as a trusted authority)\n'
  );
}
