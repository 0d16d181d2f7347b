import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SimpleHTTPRequestHandler } from '../static/simple-handler.js';
import { translatePath } from '../static/translate-path.js';
import { MAX_CGI_HEAD_BYTES, cgiHeadEnd, parseCGIHead } from './cgi-output.js';
import { targetQuery } from '../../protocol/target-path.js';

/** Largest chunked request body spooled to learn its CONTENT_LENGTH (CGI needs one). */
const MAX_SPOOLED_BODY = 64 * 1024 * 1024;
/** Local redirects (`Location: /path` without a Status) followed inside one request at most. */
const MAX_LOCAL_REDIRECTS = 5;
/** Longest stderr line held while waiting for its newline; longer ones are logged in pieces. */
const MAX_STDERR_LINE = 8 * 1024;

/** Where a CGI request points: the script and the extra path after it. */
interface CGITarget {
  /** The script's file. */
  file: string;
  /** SCRIPT_NAME: the URL path of the script. */
  scriptName: string;
  /** PATH_INFO: what follows the script in the path (decoded), '' if nothing. */
  pathInfo: string;
  query: string;
}

/**
 * Python's `CGIHTTPRequestHandler`: runs CGI/1.1 scripts (RFC 3875) found under `cgiDirectories` and serves
 * everything else as SimpleHTTPRequestHandler does. The path is normalised before the CGI check (so
 * `/cgi-bin%2fx` or `/x/../cgi-bin/y` cannot dodge it and disclose a script), request bodies stream into the
 * script (chunked ones de-chunked, with CONTENT_LENGTH), the script's header block is parsed (Status,
 * Location) and its body is framed by the server. Scripts run in their own process group, killed on timeout
 * or when the client leaves; their stderr goes to the log. The file server's rules hold for scripts too:
 * `auth` is required, and dotfiles and symlinks out of the directory are refused unless allowed.
 */
export class CGIHTTPRequestHandler extends SimpleHTTPRequestHandler {
  /** URL directories whose files are scripts, as Python's `cgi_directories`. */
  declare cgiDirectories: string[];
  /** Most time, in ms, a script may run. */
  declare cgiTimeout: number;
  private redirects = 0;

  /** Runs the script the path names under a CGI directory; anything else is served as a file. */
  override async doGET(): Promise<void> {
    if (!this.authorized()) return;
    const target = await this.cgiTarget();
    if (target === undefined) return this.sendHead(); // a plain file: credentials are already checked
    if (target !== null) await this.runCGI(target);
  }

  /** As GET, without the body. */
  override doHEAD(): Promise<void> {
    return this.doGET();
  }

  /**
   * Runs the CGI script with the request body on its stdin; POST elsewhere is a form upload with `upload`
   * on, else 501 as Python.
   */
  async doPOST(): Promise<void> {
    if (!this.authorized()) return;
    const target = await this.cgiTarget();
    if (target === undefined && this.options.upload !== null)
      await this.receiveForm(); // a form upload
    else if (target === undefined) this.sendError(501, 'Can only POST to CGI scripts');
    else if (target !== null) await this.runCGI(target);
  }

  /**
   * The script a request names: undefined when the path is not under a CGI directory, null when it is but
   * the script cannot run (the error was sent).
   */
  private async cgiTarget(): Promise<CGITarget | null | undefined> {
    const translated = translatePath(this.path, this.directory);
    if (translated === null) return undefined;
    // `/cgi-bin/` itself counts (it is 403, as in Python, not a listing of the scripts).
    const urlPath = `/${translated.segments.join('/')}${translated.trailingSlash ? '/' : ''}`;
    const dir = this.cgiDirectoryOf(urlPath);
    if (dir === undefined) return undefined;
    const dirSegments = dir.split('/').filter((s) => s !== '').length;
    const rest = translated.segments.slice(dirSegments);
    // The script is the first path under the directory that is not itself a directory.
    let n = 1;
    while (n < rest.length) {
      const st = await fsp
        .stat(path.join(this.directory, ...translated.segments.slice(0, dirSegments + n)))
        .catch(() => null);
      if (st === null || !st.isDirectory()) break;
      n++;
    }
    const scriptSegments = translated.segments.slice(0, dirSegments + n);
    const file = path.join(this.directory, ...scriptSegments);
    const st = await fsp.stat(file).catch(() => null);
    if (st === null || !(await this.mayRun(file, scriptSegments))) {
      this.sendError(404, `No such CGI script (${JSON.stringify(`/${scriptSegments.join('/')}`)})`);
      return null;
    }
    if (!st.isFile()) {
      this.sendError(
        403,
        `CGI script is not a plain file (${JSON.stringify(`/${scriptSegments.join('/')}`)})`,
      );
      return null;
    }
    if (
      !(await fsp.access(file, fsConstants.X_OK).then(
        () => true,
        () => false,
      ))
    ) {
      this.sendError(403, `CGI script is not executable (${JSON.stringify(`/${scriptSegments.join('/')}`)})`);
      return null;
    }
    const infoSegments = rest.slice(n);
    return {
      file,
      scriptName: `/${scriptSegments.join('/')}`,
      pathInfo: infoSegments.length > 0 ? `/${infoSegments.join('/')}` : '',
      query: targetQuery(this.path),
    };
  }

  /** The CGI directory a normalised URL path is under (`/cgi-bin/` itself counts), if any. */
  private cgiDirectoryOf(urlPath: string): string | undefined {
    return this.cgiDirectories.find((d) => urlPath.startsWith(`${d.replace(/\/+$/, '')}/`));
  }

  /**
   * The file server's write rules, and no upload into a CGI directory (a script planted there would run):
   * judged on the URL and on the real path, so a symlink into one is refused too.
   */
  protected override mayWrite(real: string, root: string, segments: readonly string[]): boolean {
    const underRoot = path.relative(root, real).split(path.sep);
    return (
      super.mayWrite(real, root, segments) &&
      this.cgiDirectoryOf(`/${segments.join('/')}/`) === undefined &&
      this.cgiDirectoryOf(`/${underRoot.join('/')}/`) === undefined
    );
  }

  /** Whether the dotfile and symlink rules let the script at `file` run (judged on its real path). */
  private async mayRun(file: string, segments: readonly string[]): Promise<boolean> {
    try {
      const [real, root] = await Promise.all([fsp.realpath(file), fsp.realpath(this.directory)]);
      return this.allowed(real, root, segments);
    } catch {
      return false;
    }
  }

  /** The CGI/1.1 meta-variables for this request, on top of a copy of the server's environment. */
  private environment(target: CGITarget, contentLength: number | null): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('HTTP_')) delete env[key];
    Object.assign(env, {
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_SOFTWARE: this.versionString(),
      SERVER_NAME: this.server.serverName,
      SERVER_PORT: String(this.server.serverPort),
      SERVER_PROTOCOL: this.requestVersion, // RFC 3875 §4.1.16: the request's protocol
      REQUEST_METHOD: this.command,
      SCRIPT_NAME: target.scriptName,
      PATH_INFO: target.pathInfo,
      PATH_TRANSLATED:
        target.pathInfo === '' ? '' : (translatePath(target.pathInfo, this.directory)?.fsPath ?? ''),
      QUERY_STRING: target.query,
      REMOTE_ADDR: this.clientAddress[0],
      CONTENT_TYPE: this.headers.get('content-type') ?? '',
    });
    if (contentLength !== null) env['CONTENT_LENGTH'] = String(contentLength);
    const auth = /^(\S+)\s+(\S+)/.exec(this.headers.get('authorization') ?? '');
    if (auth !== null) {
      env['AUTH_TYPE'] = auth[1]!;
      if (auth[1]!.toLowerCase() === 'basic') {
        const user = Buffer.from(auth[2]!, 'base64').toString('utf8').split(':')[0];
        if (user) env['REMOTE_USER'] = user;
      }
    }
    for (const [name, value] of this.headers) {
      // A name with `_` would share its variable with the `-` spelling (`X_User` and `X-User`), letting a
      // client pose as a header a proxy in front sets: such fields are left out, as Apache and nginx do.
      if (name.includes('_')) continue;
      const key = `HTTP_${name.toUpperCase().replace(/-/g, '_')}`;
      // httpoxy: a client's `Proxy:` header must never become HTTP_PROXY for the script's HTTP libraries.
      if (key === 'HTTP_PROXY' || key === 'HTTP_CONTENT_TYPE' || key === 'HTTP_CONTENT_LENGTH') continue;
      env[key] = env[key] === undefined ? value : `${env[key]}, ${value}`;
    }
    return env;
  }

  /** Runs the script and relays its response. */
  private async runCGI(target: CGITarget): Promise<void> {
    const framing = this.exchange.head!.framing;
    let spooled: Buffer | null = null;
    let contentLength: number | null = null;
    if (framing.kind === 'length') contentLength = framing.length;
    else if (framing.kind === 'chunked') {
      spooled = await this.readBody(MAX_SPOOLED_BODY);
      contentLength = spooled.length;
    }
    const child = spawn(target.file, [], {
      cwd: path.dirname(target.file),
      env: this.environment(target, contentLength),
      detached: true, // its own process group, so a timeout or a gone client kills what it started too
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const kill = (): void => killGroup(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.logError('%s: killed after %d ms', target.scriptName, this.cgiTimeout);
      kill();
    }, this.cgiTimeout);
    const socket = this.exchange.connection.socket;
    socket.once('close', kill);
    this.logLines(child, target.scriptName);
    child.stdin.on('error', () => {}); // a script that exits without reading its input
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      if (spooled !== null) child.stdin.end(spooled);
      else if (contentLength !== null) void pipeline(this.rfile, child.stdin).catch(() => kill());
      else child.stdin.end();
      await this.relay(child, target, () => timedOut);
      await exited;
    } finally {
      clearTimeout(timer);
      socket.off('close', kill);
      kill();
    }
  }

  /** Logs the script's stderr, a line per log line (a line split across reads is joined first). */
  private logLines(child: ChildProcess, scriptName: string): void {
    let partial = '';
    const log = (line: string): void => {
      if (line !== '') this.logError('%s: %s', scriptName, line);
    };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) log(line);
      if (partial.length > MAX_STDERR_LINE) {
        log(partial);
        partial = '';
      }
    });
    child.stderr!.once('end', () => log(partial));
  }

  /** Reads the script's header block, answers from it, and streams the body after it. */
  private async relay(child: ChildProcess, target: CGITarget, timedOut: () => boolean): Promise<void> {
    const stdout = child.stdout!;
    // Read up to the end of the header block, then leave the stream paused for pipeline() to resume: the
    // body after the block streams with backpressure instead of being held here.
    let data = Buffer.alloc(0);
    let bodyStart = -1;
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        data = Buffer.concat([data, chunk]);
        bodyStart = cgiHeadEnd(data);
        if (bodyStart >= 0 || data.length > MAX_CGI_HEAD_BYTES) done();
      };
      const done = (): void => {
        stdout.off('data', onData);
        stdout.off('end', done);
        stdout.pause();
        resolve();
      };
      stdout.on('data', onData);
      stdout.once('end', done);
    });
    if (bodyStart < 0) {
      this.logError('%s: no complete header block from the script', target.scriptName);
      killGroup(child);
      if (timedOut()) this.sendError(504, 'CGI script timed out');
      else this.sendError(502, 'Bad CGI response');
      return;
    }
    let head;
    try {
      head = parseCGIHead(data.subarray(0, bodyStart).toString('latin1'));
    } catch (err) {
      this.logError('%s: %s', target.scriptName, (err as Error).message);
      killGroup(child);
      this.sendError(502, 'Bad CGI response');
      return;
    }
    if (head.localRedirect !== null) {
      killGroup(child);
      if (++this.redirects > MAX_LOCAL_REDIRECTS) {
        this.logError('%s: more than %d local redirects', target.scriptName, MAX_LOCAL_REDIRECTS);
        this.sendError(502, 'Bad CGI response');
        return;
      }
      // RFC 3875 §6.2.2: a local redirect is served as a new GET of that path, inside this request.
      this.command = 'GET';
      this.path = head.localRedirect;
      await this.doGET();
      return;
    }
    this.sendResponse(head.status, head.reason);
    for (const [name, value] of head.fields) this.sendHeader(name, value);
    this.endHeaders();
    try {
      const rest = data.subarray(bodyStart);
      if (rest.length > 0) this.wfile.write(rest);
      await pipeline(stdout, this.wfile);
    } catch (err) {
      // The client left (nothing to say), or the body broke its own framing (more than its Content-Length):
      // the response is cut off, and the connection closes. The log says which rule broke, in the engine's
      // words: what pipeline() rejects with after a write was refused differs between Node versions.
      killGroup(child);
      if (this.exchange.aborted) return;
      this.logError('%s: %s', target.scriptName, this.exchange.framingProblem() ?? (err as Error).message);
      this.exchange.fail();
    }
  }
}

/** Kills a script and every process it started (it leads its own process group). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

Object.assign(CGIHTTPRequestHandler.prototype, {
  cgiDirectories: ['/cgi-bin', '/htbin'],
  cgiTimeout: 30_000,
});
