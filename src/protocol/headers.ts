/**
 * Header fields of one message, in the order received. Lookups ignore case; repeated fields are kept as
 * separate entries (use `getAll`). Names keep the spelling the peer sent.
 */
export class Headers implements Iterable<[string, string]> {
  private readonly names: string[] = [];
  private readonly keys: string[] = [];
  private readonly values: string[] = [];

  /** Appends a field; `key` is the lowercased name when the caller already has it. */
  add(name: string, value: string, key: string = name.toLowerCase()): void {
    this.names.push(name);
    this.keys.push(key);
    this.values.push(value);
  }

  /** Continues the last field's value (a response's obs-fold line, unfolded with a space: RFC 9112 §5.2). */
  continueLast(text: string): void {
    const last = this.values.length - 1;
    if (last >= 0) this.values[last] = `${this.values[last]} ${text}`;
  }

  /** Gives the first field named `name` this value (the others are removed), or appends it. */
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    const i = this.keys.indexOf(key);
    if (i < 0) {
      this.add(name, value, key);
      return;
    }
    this.values[i] = value;
    for (let j = this.keys.length - 1; j > i; j--) {
      if (this.keys[j] === key) {
        this.names.splice(j, 1);
        this.keys.splice(j, 1);
        this.values.splice(j, 1);
      }
    }
  }

  /** The first value of the field, as Python's `message.get`; undefined when absent. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.values[i];
    return undefined;
  }

  /** Every value of a repeated field, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.values[i]!);
    return out;
  }

  has(name: string): boolean {
    return this.keys.includes(name.toLowerCase());
  }

  /** Lowercased name of the i-th field line, for callers that walk every field once. */
  keyAt(i: number): string {
    return this.keys[i]!;
  }

  /** Value of the i-th field line. */
  valueAt(i: number): string {
    return this.values[i]!;
  }

  /** Number of field lines (a repeated field counts once per line). */
  get size(): number {
    return this.keys.length;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  /** Field names as received, in order, repeated names once per line. */
  keysInOrder(): string[] {
    return this.names.slice();
  }
}
