#!/usr/bin/env node
/** The `basehttp` command. Serving a directory arrives with SimpleHTTPRequestHandler; for now it explains. */
const USAGE = `usage: basehttp [-h] [port]

Serve files over HTTP/1.1 like python -m http.server.
Directory serving is not available in this build yet: see the README for the library API.
`;

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
process.stderr.write(USAGE);
process.exit(2);
