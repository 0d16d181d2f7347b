/** What a log line says of an exception: its stack where it has one, else its message, else the value. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
