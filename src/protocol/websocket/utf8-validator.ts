/**
 * A UTF-8 check that keeps its place across pieces (RFC 3629): a text message's fragments, or one frame
 * arriving in several TCP reads, are checked as they come. It fails at the first byte no valid text can
 * continue with (Autobahn's fail-fast cases), so a peer sending bad text is cut before the message ends:
 * overlong forms, UTF-16 surrogates and code points above U+10FFFF are refused at their lead or second byte.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current sequence. */
  private need = 0;
  /** The range the next continuation byte must fall in (narrower after E0, ED, F0 and F4). */
  private low = 0x80;
  private high = 0xbf;

  /** Checks the next piece; false at the first byte that cannot be valid UTF-8. */
  write(data: Uint8Array): boolean {
    let need = this.need;
    let low = this.low;
    let high = this.high;
    const length = data.length;
    for (let i = 0; i < length; i++) {
      const b = data[i]!;
      if (need === 0) {
        if (b < 0x80) continue;
        if (b < 0xc2 || b > 0xf4) return false;
        if (b < 0xe0) need = 1;
        else if (b < 0xf0) {
          need = 2;
          if (b === 0xe0) low = 0xa0;
          else if (b === 0xed) high = 0x9f;
        } else {
          need = 3;
          if (b === 0xf0) low = 0x90;
          else if (b === 0xf4) high = 0x8f;
        }
      } else {
        if (b < low || b > high) return false;
        low = 0x80;
        high = 0xbf;
        need--;
      }
    }
    this.need = need;
    this.low = low;
    this.high = high;
    return true;
  }

  /** Whether the text may end here (no sequence cut short); resets for the next message either way. */
  end(): boolean {
    const complete = this.need === 0;
    this.reset();
    return complete;
  }

  /** Forgets any sequence in progress. */
  reset(): void {
    this.need = 0;
    this.low = 0x80;
    this.high = 0xbf;
  }
}
