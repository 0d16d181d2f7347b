/** STUB until ws-deflate is merged: the permessage-deflate negotiation's names and signatures only. */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
  threshold?: number;
}
export interface NegotiatedDeflate {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}
export function deflateThreshold(options: PerMessageDeflateOptions | true): number {
  return options === true ? 1024 : (options.threshold ?? 1024);
}
export function negotiateDeflate(
  _offerHeaderValue: string | undefined,
  _options: PerMessageDeflateOptions | true,
): { responseValue: string; params: NegotiatedDeflate } | null {
  return null;
}
