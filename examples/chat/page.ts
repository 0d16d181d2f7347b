/** The chat page both servers send for `/`. */
import { readFileSync } from 'node:fs';

/** index.html, read once at start from beside the sources (the build holds compiled TypeScript only). */
export const CHAT_PAGE = readFileSync(new URL('../../../examples/chat/index.html', import.meta.url), 'utf8');
