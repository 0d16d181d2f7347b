/** Self-signed certificates for TLS tests, made with the real `openssl` command. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A certificate for `localhost` and 127.0.0.1 (valid one day) and its key, in a new temp directory; the key
 * is encrypted with `password` when one is given. The certificate is its own CA: pass it as `ca`/`--cacert`.
 */
export function makeCertificate(password?: string): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-cert-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
  const protection = password === undefined ? ['-nodes'] : ['-passout', `pass:${password}`];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-days',
      '1',
      ...subject,
      ...protection,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {
      stdio: 'ignore',
    },
  );
  return { dir, cert, key };
}
