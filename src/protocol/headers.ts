/** A field's three slots in `Headers.fields`: the name as sent, its lowercase key, the value. */
const NAME = 0;
const KEY = 1;
const VALUE = 2;
const STRIDE = 3;

/**
 * Header fields of one message, in the order received. Lookups ignore case; repeated fields are kept as
 * separate entries (use `getAll`). Names keep the spelling the peer sent.
 */
export class Headers implements Iterable<[string, string]> {
  /** Name, key and value of each field in turn: one array to grow per message, not three. */
  private readonly fields: string[] = [];

  /** Appends a field; `key` is the lowercased name when the caller already has it. */
  add(name: string, value: string, key: string = name.toLowerCase()): void {
    this.fields.push(name, key, value);
  }

  /** Continues the last field's value (a response's obs-fold line, unfolded with a space: RFC 9112 §5.2). */
  continueLast(text: string): void {
    const last = this.fields.length - STRIDE + VALUE;
    if (last > 0) this.fields[last] = `${this.fields[last]} ${text}`;
  }

  /** Gives the first field named `name` this value (the others are removed), or appends it. */
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    const i = this.indexOf(key);
    if (i < 0) {
      this.add(name, value, key);
      return;
    }
    const f = this.fields;
    f[i + VALUE] = value;
    for (let j = f.length - STRIDE; j > i; j -= STRIDE) if (f[j + KEY] === key) f.splice(j, STRIDE);
  }

  /** The first value of the field, as Python's `message.get`; undefined when absent. */
  get(name: string): string | undefined {
    const i = this.indexOf(name.toLowerCase());
    return i < 0 ? undefined : this.fields[i + VALUE];
  }

  /** Every value of a repeated field, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const f = this.fields;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += STRIDE) if (f[i + KEY] === key) out.push(f[i + VALUE]!);
    return out;
  }

  /** Whether a field of this name (any case) is present. */
  has(name: string): boolean {
    return this.indexOf(name.toLowerCase()) >= 0;
  }

  /** Name of the i-th field line, as the peer spelled it. */
  nameAt(i: number): string {
    return this.fields[i * STRIDE + NAME]!;
  }

  /** Lowercased name of the i-th field line, for callers that walk every field once. */
  keyAt(i: number): string {
    return this.fields[i * STRIDE + KEY]!;
  }

  /** Value of the i-th field line. */
  valueAt(i: number): string {
    return this.fields[i * STRIDE + VALUE]!;
  }

  /** Number of field lines (a repeated field counts once per line). */
  get size(): number {
    return this.fields.length / STRIDE;
  }

  /** Every field as `[name, value]`, in the order received. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const f = this.fields;
    for (let i = 0; i < f.length; i += STRIDE) yield [f[i + NAME]!, f[i + VALUE]!];
  }

  /** Field names as received, in order, repeated names once per line. */
  keysInOrder(): string[] {
    const f = this.fields;
    const out: string[] = [];
    for (let i = 0; i < f.length; i += STRIDE) out.push(f[i + NAME]!);
    return out;
  }

  /** Where the first field with this lowercase key starts in `fields`, or -1. */
  private indexOf(key: string): number {
    const f = this.fields;
    for (let i = 0; i < f.length; i += STRIDE) if (f[i + KEY] === key) return i;
    return -1;
  }
}
