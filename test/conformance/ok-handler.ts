import { BaseHTTPRequestHandler } from '../../src/index.js';

/** Answers 200 to anything it is given, after reading the body: only the framing is under test. */
export class Ok extends BaseHTTPRequestHandler {
  async doGET(): Promise<void> {
    await this.readBody();
    this.sendResponse(200);
    this.sendHeader('Content-Length', 2);
    this.endHeaders();
    this.wfile.write('ok');
  }

  doPOST(): Promise<void> {
    return this.doGET();
  }

  doOPTIONS(): Promise<void> {
    return this.doGET();
  }
}
