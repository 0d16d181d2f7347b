import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cacheFiles, certificateCacheDir } from '../../src/cli/self-signed/cache-dir.js';
import { leafNeedsRenewal } from '../../src/cli/self-signed/renew-rule.js';
import { ensureSelfSigned, serverNames } from '../../src/cli/self-signed/self-signed.js';
import { launchChromium } from '../helpers/chromium.js';
import { MAIN, startServe } from '../helpers/serve-process.js';

const run = promisify(execFile);

/** A fresh cache directory (never the user's) and a directory to serve. */
function sandbox(): { cache: string; site: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'basehttp-self-signed-'));
  const site = join(root, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>secure</title><p>hello over TLS</p>');
  const cache = join(root, 'cache');
  return { cache, site, env: { BASEHTTP_CACHE_DIR: cache } };
}

/** `curl --cacert ca` on `url`: its body, or a rejection when the certificate does not verify. */
async function curlVerified(ca: string, url: string): Promise<string> {
  return (await run('curl', ['-sS', '--fail', '--cacert', ca, url])).stdout;
}

/** The SHA-256 fingerprint of the first certificate in a PEM file. */
function fingerprint(file: string): string {
  return new X509Certificate(readFileSync(file)).fingerprint256;
}

describe('basehttp --tls-self-signed', () => {
  it('the cache directory follows each platform, and BASEHTTP_CACHE_DIR overrides it', () => {
    assert.equal(certificateCacheDir({}, 'linux', '/home/ann'), '/home/ann/.cache/basehttp');
    assert.equal(certificateCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/ann'), '/xdg/basehttp');
    assert.equal(
      certificateCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/ann'),
      '/home/ann/.cache/basehttp',
    );
    assert.equal(certificateCacheDir({}, 'darwin', '/Users/ann'), '/Users/ann/Library/Caches/basehttp');
    assert.equal(
      certificateCacheDir({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann'),
      'C:\\Users\\ann\\AppData\\Local\\basehttp',
    );
    assert.equal(certificateCacheDir({ BASEHTTP_CACHE_DIR: '/tmp/x' }, 'linux', '/home/ann'), '/tmp/x');
  });

  it('serves HTTPS that curl verifies with the CA, on localhost, 127.0.0.1 and [::1]; keys 0600, dir 0700', async (t) => {
    const { cache, site, env } = sandbox();
    const server = await startServe(t, ['--tls-self-signed', '-d', site, '0'], env, /\nCA: .*\n/);
    const files = cacheFiles(cache);
    assert.match(server.out(), /^Serving HTTPS on :: port \d+ /);
    assert.ok(server.out().includes(`CA: ${files.caCert} (trust it: curl --cacert ${files.caCert};`));
    assert.ok(server.out().includes(`NODE_EXTRA_CA_CERTS=${files.caCert}`));
    for (const host of ['localhost', '127.0.0.1', '[::1]'])
      assert.match(await curlVerified(files.caCert, `https://${host}:${server.port}/`), /hello over TLS/);
    // Without the CA, the same request is refused: the verification above is the CA's doing.
    await assert.rejects(run('curl', ['-sS', '--fail', `https://localhost:${server.port}/`]));
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(files.caKey).mode & 0o777, 0o600);
    assert.equal(statSync(files.server).mode & 0o777, 0o600);
    assert.equal(await server.stop(), 0);
  });

  it('a second run reuses the CA and the server certificate (same fingerprints)', async (t) => {
    const { cache, site, env } = sandbox();
    const files = cacheFiles(cache);
    const first = await startServe(t, ['--tls-self-signed', '-b', '127.0.0.1', '-d', site, '0'], env);
    await first.stop();
    const [ca, leaf] = [fingerprint(files.caCert), fingerprint(files.server)];
    const second = await startServe(t, ['--tls-self-signed', '-b', '127.0.0.1', '-d', site, '0'], env);
    assert.equal(fingerprint(files.caCert), ca);
    assert.equal(fingerprint(files.server), leaf);
    assert.match(await curlVerified(files.caCert, `https://127.0.0.1:${second.port}/`), /hello/);
    await second.stop();
  });

  it('renews a server certificate near its end, keeping the CA', async (t) => {
    const { cache, site, env } = sandbox();
    const files = cacheFiles(cache);
    await ensureSelfSigned(serverNames(''), cache);
    const ca = fingerprint(files.caCert);
    // A certificate from the same CA for the same names, valid 10 days: what the cache holds 387 days later.
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-short-'));
    const key = join(dir, 'key.pem');
    const csr = join(dir, 'req.csr');
    const ext = join(dir, 'ext.cnf');
    const sans = serverNames('').map((n) => (n.includes('.') || n.includes(':') ? `IP:${n}` : `DNS:${n}`));
    writeFileSync(ext, `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=localhost', '-out', csr]);
    const short = execFileSync('openssl', [
      ...['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-days', '10'],
      ...['-set_serial', '7', '-extfile', ext],
    ]).toString();
    const shortPem = readFileSync(key, 'utf8') + short;
    writeFileSync(files.server, shortPem, { mode: 0o600 });
    const old = fingerprint(files.server);
    assert.equal(
      leafNeedsRenewal(
        new X509Certificate(short),
        new X509Certificate(readFileSync(files.caCert)),
        serverNames(''),
      ),
      true,
    );

    const server = await startServe(t, ['--tls-self-signed', '-b', '127.0.0.1', '-d', site, '0'], env);
    assert.notEqual(fingerprint(files.server), old);
    assert.equal(fingerprint(files.caCert), ca);
    const renewed = new X509Certificate(readFileSync(files.server));
    assert.ok(Date.parse(renewed.validTo) - Date.now() > 390 * 86_400_000);
    assert.ok(Date.parse(renewed.validTo) - Date.parse(renewed.validFrom) <= 398 * 86_400_000);
    assert.match(await curlVerified(files.caCert, `https://127.0.0.1:${server.port}/`), /hello/);
    await server.stop();
  });

  it('renews a certificate that does not name an address it must, e.g. a new --bind', async () => {
    const { cache } = sandbox();
    const made = await ensureSelfSigned(serverNames(''), cache);
    const ca = new X509Certificate(readFileSync(made.caFile));
    const leaf = new X509Certificate(readFileSync(made.serverFile));
    assert.equal(leafNeedsRenewal(leaf, ca, serverNames('')), false);
    assert.equal(leafNeedsRenewal(leaf, ca, serverNames('10.99.0.1')), true);
    const again = await ensureSelfSigned(serverNames('10.99.0.1'), cache);
    assert.equal(again.caFingerprint, made.caFingerprint);
    assert.notEqual(again.serverFingerprint, made.serverFingerprint);
    assert.notEqual(new X509Certificate(readFileSync(again.serverFile)).checkIP('10.99.0.1'), undefined);
  });

  it('two processes starting at once on an empty cache end with one CA', async () => {
    const { cache } = sandbox();
    const [a, b] = await Promise.all([
      ensureSelfSigned(serverNames(''), cache),
      ensureSelfSigned(serverNames(''), cache),
    ]);
    assert.equal(a.caFingerprint, b.caFingerprint);
    const ca = new X509Certificate(readFileSync(a.caFile));
    assert.equal(new X509Certificate(readFileSync(a.serverFile)).checkIssued(ca), true);
  });

  it('a corrupt CA is one error line and exit 1, never a stack, and is not silently replaced', async () => {
    const { cache, site, env } = sandbox();
    mkdirSync(cache, { mode: 0o700 });
    writeFileSync(cacheFiles(cache).caKey, 'not a pem\n', { mode: 0o600 });
    const r = await run(process.execPath, [MAIN, '--tls-self-signed', '-d', site, '0'], {
      env: { ...process.env, ...env },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    assert.equal((r as { code?: number }).code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^basehttp: --tls-self-signed: .*ca-key\.pem is not a usable CA .*delete .* to make a new one\n$/,
    );
    assert.equal(readFileSync(cacheFiles(cache).caKey, 'utf8'), 'not a pem\n');
  });

  it('--tls-cert with --tls-self-signed is a usage error', async () => {
    const r = await run(process.execPath, [MAIN, '--tls-self-signed', '--tls-cert', 'c.pem']).catch(
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal((r as { code?: number }).code, 2);
    assert.match(r.stderr, /basehttp: error: --tls-self-signed .* --tls-cert/);
  });

  it('works with --workers: the primary makes the certificate, every worker serves it', async (t) => {
    const { cache, site, env } = sandbox();
    const server = await startServe(
      t,
      ['--tls-self-signed', '--workers', '2', '-b', '127.0.0.1', '-d', site, '0'],
      env,
      /\nCA: .*\n/,
    );
    for (let i = 0; i < 4; i++)
      assert.match(
        await curlVerified(cacheFiles(cache).caCert, `https://localhost:${server.port}/`),
        /hello/,
      );
    assert.equal(await server.stop(), 0);
  });

  it('works with --app: the Fetch-API app is served over the same certificate', async (t) => {
    const { cache, site, env } = sandbox();
    const app = join(site, 'app.mjs');
    writeFileSync(app, "export default { fetch: () => new Response('app over TLS') };\n");
    const server = await startServe(t, ['--tls-self-signed', '--app', app, '-b', '127.0.0.1', '0'], env);
    assert.equal(
      await curlVerified(cacheFiles(cache).caCert, `https://localhost:${server.port}/`),
      'app over TLS',
    );
    assert.equal(await server.stop(), 0);
  });

  it('Chromium that trusts the CA (an NSS database, no ignoreHTTPSErrors) loads the page as a secure context', async (t) => {
    const { cache, site, env } = sandbox();
    const other = sandbox();
    const server = await startServe(t, ['--tls-self-signed', '-b', '127.0.0.1', '-d', site, '0'], env);
    const untrusted = await startServe(
      t,
      ['--tls-self-signed', '-b', '127.0.0.1', '-d', site, '0'],
      other.env,
    );
    const home = mkdtempSync(join(tmpdir(), 'basehttp-chromium-home-'));
    const db = `sql:${join(home, '.pki', 'nssdb')}`;
    mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
    execFileSync('certutil', ['-d', db, '-N', '--empty-password']);
    execFileSync('certutil', [
      '-d',
      db,
      '-A',
      '-t',
      'C,,',
      '-n',
      'basehttp test CA',
      '-i',
      cacheFiles(cache).caCert,
    ]);
    // The browser's HOME is where it reads the NSS database of the CAs its user trusts.
    const browser = await launchChromium({ ...process.env, HOME: home });
    t.after(() => browser.close());
    const page = await (await browser.newContext()).newPage();
    const response = await page.goto(`https://localhost:${server.port}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'secure');
    assert.equal(await page.evaluate('window.isSecureContext'), true);
    assert.equal(new URL(page.url()).protocol, 'https:');
    // The same browser refuses a server whose CA it was not told to trust: the success above is the trust's.
    await assert.rejects(page.goto(`https://localhost:${untrusted.port}/`), /ERR_CERT_AUTHORITY_INVALID/);
  });
});
