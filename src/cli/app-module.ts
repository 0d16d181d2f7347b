import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidFetchHandlerError } from '../faces/fetch/errors.js';
import type { FetchApp, FetchServer } from '../faces/fetch/serve.js';

/**
 * What `--app` serves: the app, and the Fetch face's server class. The face is loaded only for `--app`: it
 * loads Node's fetch implementation, some 50 ms and 12 MB that a file server does without.
 */
export interface AppToServe {
  readonly fetch: FetchApp;
  readonly FetchServer: typeof FetchServer;
}

/** The fetch handler of `--app MODULE` (see `loadFetchApp`) with the Fetch face to serve it. */
export async function loadAppToServe(file: string): Promise<AppToServe> {
  const fetch = await loadFetchApp(file);
  const { FetchServer } = await import('../faces/fetch/serve.js');
  return { fetch, FetchServer };
}

/**
 * The fetch handler of `basehttp --app MODULE`: the module's default export, an object with a `fetch` method
 * (what `deno serve` and Bun expect, and what a Hono app is) or a function. Throws InvalidFetchHandlerError
 * for a module that has none; an error loading the module (missing, a syntax error) is passed on.
 */
async function loadFetchApp(file: string): Promise<FetchApp> {
  const mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
  const exported = mod.default;
  if (typeof exported === 'function') return exported as FetchApp;
  if (exported !== null && typeof exported === 'object') {
    const fetch = (exported as { fetch?: unknown }).fetch;
    if (typeof fetch === 'function') return (fetch as FetchApp).bind(exported);
  }
  throw new InvalidFetchHandlerError(
    `${file} has no fetch handler: its default export must be a function or an object with a fetch method`,
  );
}
