#!/usr/bin/env node
/**
 * The `basehttp` command: `basehttp [options] [port]` serves a directory, as `python -m http.server`;
 * `basehttp get URL` is the client.
 */
import { USAGE, UsageError, parseServeArgs } from './serve-args.js';
import { serve } from './serve.js';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'get') return (await import('./get.js')).main(argv.slice(1));
  let args;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${USAGE.split('\n\n')[0]}\nbasehttp: error: ${err.message}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  return serve(args);
}

process.exitCode = await main(process.argv.slice(2));
