/** Conformance peer: basehttp answering 200 after reading the body (the handler the conformance test uses). */
import { HTTPServer } from '../../src/index.js';
import { Ok } from '../../test/conformance/ok-handler.js';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
await new HTTPServer({ host: '127.0.0.1', port }, Ok, { logStream: null }).serveForever();
