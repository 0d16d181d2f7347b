/**
 * `--tls-self-signed`: a local CA made once per user and a server certificate it signs for this machine's
 * names, both kept in the cache directory and reused, the server certificate made again when it nears its end
 * or no longer names every address. Trusting the CA once makes every later certificate trusted.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { lanAddresses } from '../lan-addresses.js';
import { createFileOnce, replaceFile } from './atomic-file.js';
import { cacheFiles, certificateCacheDir } from './cache-dir.js';
import { leafNeedsRenewal } from './renew-rule.js';

/** The cache cannot be used (unreadable, corrupt, not writable): one line for the user, exit 1. */
export class SelfSignedCacheError extends Error {
  override name = 'SelfSignedCacheError';
  readonly code = 'BH_ERR_SELF_SIGNED_CACHE';
}

/** What the server and the banner need: the PEM file holding certificate and key, and the CA's file. */
export interface SelfSigned {
  /** The server certificate and its key, one PEM file (as `--tls-cert` takes it). */
  serverFile: string;
  /** The CA certificate users trust. */
  caFile: string;
  /** The CA's SHA-256 fingerprint (as `openssl x509 -fingerprint -sha256` prints it): the same every run. */
  caFingerprint: string;
  /** The server certificate's: changes only when it is renewed. */
  serverFingerprint: string;
}

/** The names a server certificate for this machine must carry: loopback, LAN addresses, a specific bind. */
export function serverNames(bind: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', ...lanAddresses()];
  if (bind !== '' && bind !== '::' && bind !== '0.0.0.0' && !names.includes(bind)) names.push(bind);
  return names;
}

/** The file's text, or null when it does not exist; any other failure to read is the cache's error. */
async function readIfThere(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SelfSignedCacheError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The certificate and key of a PEM file holding both, or null when they do not parse or do not match. */
function parsePair(pem: string): { cert: X509Certificate; key: KeyObject } | null {
  try {
    const cert = new X509Certificate(pem);
    const key = createPrivateKey(pem);
    return cert.checkPrivateKey(key) ? { cert, key } : null;
  } catch {
    return null;
  }
}

/**
 * The CA of `dir`: read, or made when there is none. A CA that is there but corrupt, not a CA, or expired is
 * an error rather than replaced: the user trusted it, and a silent new one would leave that trust pointing
 * at nothing. Deleting the directory makes a new one.
 */
async function certificateAuthority(
  dir: string,
  now: number,
): Promise<{ pem: string; cert: X509Certificate }> {
  const files = cacheFiles(dir);
  let pem = await readIfThere(files.caKey);
  if (pem === null) {
    const { issueCertificateAuthority } = await import('./issue-certificates.js');
    const made = await issueCertificateAuthority(hostname(), now);
    pem = await createFileOnce(files.caKey, made.key + made.cert, 0o600);
  }
  const pair = parsePair(pem);
  if (pair === null || !pair.cert.ca || Date.parse(pair.cert.validTo) <= now)
    throw new SelfSignedCacheError(
      `${files.caKey} is not a usable CA (corrupt, not a CA, or expired); delete ${dir} to make a new one`,
    );
  const certPem = pair.cert.toString();
  if ((await readIfThere(files.caCert)) !== certPem) await replaceFile(files.caCert, certPem, 0o644);
  return { pem, cert: pair.cert };
}

/**
 * The CA and a server certificate for `names` in `dir` (default: the user's cache directory), made or
 * renewed as needed; throws SelfSignedCacheError when the directory cannot be used.
 */
export async function ensureSelfSigned(
  names: readonly string[],
  dir: string = certificateCacheDir(),
  now: number = Date.now(),
): Promise<SelfSigned> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.chmod(dir, 0o700);
    const files = cacheFiles(dir);
    const ca = await certificateAuthority(dir, now);
    const serverPem = await readIfThere(files.server);
    let server = serverPem === null ? null : parsePair(serverPem);
    if (leafNeedsRenewal(server?.cert ?? null, ca.cert, names, now)) {
      const { issueServerCertificate } = await import('./issue-certificates.js');
      const made = await issueServerCertificate({ cert: ca.cert.toString(), key: ca.pem }, names, now);
      // The key first: Node's createPrivateKey reads the first PEM block, X509Certificate finds the certificate.
      await replaceFile(files.server, made.key + made.cert, 0o600);
      server = parsePair(made.key + made.cert);
    }
    return {
      serverFile: files.server,
      caFile: files.caCert,
      caFingerprint: ca.cert.fingerprint256,
      serverFingerprint: server!.cert.fingerprint256,
    };
  } catch (err) {
    if (err instanceof SelfSignedCacheError) throw err;
    throw new SelfSignedCacheError(`cannot use ${dir}: ${(err as Error).message}`);
  }
}
