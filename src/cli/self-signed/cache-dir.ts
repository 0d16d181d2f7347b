/** Where `--tls-self-signed` keeps its CA and certificate: the user's cache directory, per platform. */
import { homedir } from 'node:os';
import path from 'node:path';

/** The environment variable that points the cache elsewhere (tests; a shared dev container's volume). */
export const CACHE_DIR_VARIABLE = 'BASEHTTP_CACHE_DIR';

/**
 * `$BASEHTTP_CACHE_DIR` when set; else `%LOCALAPPDATA%\basehttp` on Windows, `~/Library/Caches/basehttp` on
 * macOS, `$XDG_CACHE_HOME/basehttp` or `~/.cache/basehttp` elsewhere.
 */
export function certificateCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const chosen = env[CACHE_DIR_VARIABLE];
  if (chosen) return path.resolve(chosen);
  if (platform === 'win32')
    return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(home, 'AppData', 'Local'), 'basehttp');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'basehttp');
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'basehttp');
}

/** The cache's files: the CA certificate to trust, the CA's key (with its certificate), the server's. */
export function cacheFiles(dir: string): { caCert: string; caKey: string; server: string } {
  return {
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    server: path.join(dir, 'localhost.pem'),
  };
}
