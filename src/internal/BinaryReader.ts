/** The length mark of a string written as UTF-16 code units (see BinaryWriter). */
const LONG_OR_UNICODE = 0xffff;

/**
 * Reads back, in order, what a {@link BinaryWriter} wrote.
 *
 * @example
 * const reader = new BinaryReader(buffer);
 * while (!reader.isDone) handle(reader.u8(), reader.f64(), reader.string());
 */
export class BinaryReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(buffer: ArrayBuffer) {
    this.#bytes = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
  }

  /** True once every byte was read. */
  get isDone(): boolean {
    return this.#offset >= this.#bytes.length;
  }

  u8(): number {
    this.#check(1);
    return this.#bytes[this.#offset++] as number;
  }

  u32(): number {
    this.#check(4);
    const value = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return value;
  }

  f64(): number {
    this.#check(8);
    const value = this.#view.getFloat64(this.#offset);
    this.#offset += 8;
    return value;
  }

  string(): string {
    this.#check(2);
    const length = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    if (length === LONG_OR_UNICODE) {
      const units = this.u32();
      this.#check(units * 2);
      const codes = new Array<number>(units);
      for (let i = 0; i < units; i++, this.#offset += 2) codes[i] = this.#view.getUint16(this.#offset);
      // In slices: a spread of a very long array would overflow the stack.
      let value = '';
      for (let start = 0; start < units; start += 8192) value += String.fromCharCode(...codes.slice(start, start + 8192));
      return value;
    }
    this.#check(length);
    const start = this.#offset;
    this.#offset += length;
    // ASCII: one character per byte. Short ones (ids, names, types) are quickest built one by one.
    const bytes = this.#bytes;
    if (length > 32) return String.fromCharCode.apply(null, bytes.subarray(start, start + length) as unknown as number[]);
    let value = '';
    for (let i = start; i < start + length; i++) value += String.fromCharCode(bytes[i] as number);
    return value;
  }

  optionalString(): string | undefined {
    return this.u8() === 0 ? undefined : this.string();
  }

  #check(bytes: number): void {
    if (this.#offset + bytes > this.#bytes.length) throw new RangeError(`BinaryReader: expected ${bytes} more bytes at ${this.#offset}, found ${this.#bytes.length - this.#offset}`);
  }
}
