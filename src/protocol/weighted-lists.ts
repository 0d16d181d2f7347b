import { mediaType } from './media-type.js';
import { splitList } from './tokens.js';

/** One member of a list field weighted with `q` (Accept, Accept-Encoding: RFC 9110 §12.4.2). */
export interface WeightedMember {
  /** The member without its parameters, lowercased: `text/html`, `*\/*`, `gzip`. */
  readonly value: string;
  /** Its weight, 0 to 1; 0 means "not acceptable". */
  readonly q: number;
}

/** A qvalue as RFC 9110 §12.4.2 spells it: 0 to 1 with at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The members of a weighted list field, in the order sent. A weight that is no qvalue (`q=abc`, `q=2`)
 * counts as 0: a client that wrote it has not said it accepts the member, so it is not sent that.
 */
export function weightedMembers(field: string | undefined): WeightedMember[] {
  if (field === undefined) return [];
  const out: WeightedMember[] = [];
  for (const item of splitList(field)) {
    const value = mediaType(item);
    if (value === '') continue;
    const semicolon = item.indexOf(';');
    out.push({ value, q: semicolon < 0 ? 1 : weightOf(item.slice(semicolon + 1)) });
  }
  return out;
}

/** The weight in a member's parameters (`level=1; q=0.5`): 1 when none is given. */
function weightOf(params: string): number {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const q = param.slice(eq + 1).trim();
    return QVALUE.test(q) ? Number(q) : 0;
  }
  return 1;
}

/**
 * Whether an Accept field names `mediaType` (lowercase, `type/subtype` or `*\/*`) itself with a weight above
 * 0. Wildcards do not count for a named type: a browser's navigation names `text/html`, its fetches and
 * subresource loads send `*\/*`, and that difference is what callers ask about.
 */
export function namesMediaType(accept: string | undefined, mediaType: string): boolean {
  return weightedMembers(accept).some((member) => member.value === mediaType && member.q > 0);
}
