/** The chat page both servers send for `/`. */
import { readFileSync } from 'node:fs';
import type { BaseHTTPRequestHandler } from '../../src/index.js';

/** index.html, read once at start from beside the sources (the build holds compiled TypeScript only). */
export const CHAT_PAGE = readFileSync(new URL('../../../examples/chat/index.html', import.meta.url), 'utf8');

const body = Buffer.from(CHAT_PAGE);

/** Answers a handler's request with the page. */
export function sendChatPage(handler: BaseHTTPRequestHandler): void {
  handler.sendResponse(200);
  handler.sendHeader('Content-Type', 'text/html; charset=utf-8');
  handler.sendHeader('Content-Length', String(body.length));
  handler.endHeaders();
  handler.wfile.write(body);
}
