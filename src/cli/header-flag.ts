/** `-H "Name: value"`, the header flag both commands share. */
import { fieldLine } from '../protocol/response-head.js';
import { UsageError } from './flags.js';

/** `-H "Name: value"` as a name and a value, refused (UsageError) when it is not a valid header field. */
export function headerField(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`expected "Name: value", got '${text}'`);
  const [name, value] = [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
  try {
    fieldLine(name, value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return [name, value];
}
