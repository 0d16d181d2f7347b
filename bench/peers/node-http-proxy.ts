/**
 * A peer for the proxy benchmark: the reverse proxy a user writes on `node:http` — `http.request` through a
 * keep-alive Agent (as many sockets as basehttp's pool may open), the connection's own fields dropped, the four
 * forwarding fields basehttp sends, both bodies piped.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, backend: { type: 'string' } } });
const backend = Number(values.backend);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
/** What such a proxy typically drops: the fields node:http sets again for each hop. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

http
  .createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    const host = req.headers.host ?? '';
    const headers = endToEnd(req.headers);
    headers['x-forwarded-for'] = peer;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = host;
    headers['forwarded'] = `for=${peer};host="${host}";proto=http`;
    headers['host'] = `127.0.0.1:${backend}`;
    const upstream = http.request(
      { host: '127.0.0.1', port: backend, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  })
  .listen(Number(values.port), '127.0.0.1');
