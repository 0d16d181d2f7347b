import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidFetchHandlerError } from '../faces/fetch/errors.js';
import type { FetchApp } from '../faces/fetch/serve.js';

/**
 * The fetch handler of `basehttp --app MODULE`: the module's default export, an object with a `fetch` method
 * (what `deno serve` and Bun expect, and what a Hono app is) or a function. Throws InvalidFetchHandlerError
 * for a module that has none; an error loading the module (missing, a syntax error) is passed on.
 */
export async function loadFetchApp(file: string): Promise<FetchApp> {
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
