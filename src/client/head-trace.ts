/**
 * Sees each head as it crosses the wire: 'sent' for a request head the client writes (a CONNECT to a
 * forward proxy too), 'received' for a forward proxy's answer to CONNECT (`basehttp get -v`).
 */
export type HeadTrace = (head: string, direction: 'sent' | 'received') => void;
