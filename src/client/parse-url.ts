import { InvalidURL } from './errors.js';

/** Parses a URL given to the client (or a redirect's Location); one that cannot be is an InvalidURL. */
export function parseURL(input: string | URL, base?: URL): URL {
  try {
    return new URL(input, base);
  } catch (err) {
    throw new InvalidURL(`Invalid URL: ${JSON.stringify(String(input))}`, { cause: err });
  }
}
