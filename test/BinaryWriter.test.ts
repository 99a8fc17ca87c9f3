import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryReader } from '../src/internal/BinaryReader.js';
import { BinaryWriter } from '../src/internal/BinaryWriter.js';

type Value = { kind: 'u8'; value: number } | { kind: 'u32'; value: number } | { kind: 'f64'; value: number } | { kind: 'string'; value: string } | { kind: 'optionalString'; value: string | undefined };

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((v) => ({ kind: 'u8' as const, value: v })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((v) => ({ kind: 'u32' as const, value: v })),
  fc.double().map((v) => ({ kind: 'f64' as const, value: v })),
  // ASCII, any UTF-16 (lone surrogates included), and now and then longer than the short form holds.
  fc.oneof(
    { arbitrary: fc.string(), weight: 10 },
    { arbitrary: fc.string({ unit: 'binary' }), weight: 10 },
    { arbitrary: fc.tuple(fc.string({ minLength: 1, maxLength: 2 }), fc.integer({ min: 32_765, max: 32_770 })).map(([unit, times]) => unit.repeat(times)), weight: 1 },
  ).map((v) => ({ kind: 'string' as const, value: v })),
  fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }).map((v) => ({ kind: 'optionalString' as const, value: v })),
);

function write(writer: BinaryWriter, v: Value): void {
  if (v.kind === 'optionalString') writer.optionalString(v.value);
  else if (v.kind === 'string') writer.string(v.value);
  else writer[v.kind](v.value);
}

function read(reader: BinaryReader, v: Value): unknown {
  return reader[v.kind]();
}


describe('BinaryWriter and BinaryReader', () => {
  it('read back every value in order, across buffer growth and several takes', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 60 }), { minLength: 1, maxLength: 4 }), (batches) => {
        const writer = new BinaryWriter();
        for (const batch of batches) {
          for (const v of batch) write(writer, v);
          const reader = new BinaryReader(writer.take());
          expect(writer.length).toBe(0);
          for (const v of batch) {
            expect(read(reader, v)).toEqual(v.value);
          }
          expect(reader.isDone).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps ASCII at one byte per character and any other string as UTF-16, lone surrogates included', () => {
    const writer = new BinaryWriter();
    writer.string('task-1');
    expect(writer.length).toBe(2 + 6);
    writer.string('тест');
    expect(writer.length).toBe(8 + 6 + 8);
    writer.string('a\ud800b');
    const reader = new BinaryReader(writer.take());
    expect([reader.string(), reader.string(), reader.string()]).toEqual(['task-1', 'тест', 'a\ud800b']);
  });

  it('refuses to read past the end, saying where', () => {
    const writer = new BinaryWriter();
    writer.u8(7);
    const reader = new BinaryReader(writer.take());
    expect(reader.u8()).toBe(7);
    expect(() => reader.f64()).toThrow('BinaryReader: expected 8 more bytes at 1, found 0');
  });
});

describe('BinaryWriter.rollback', () => {
  it('drops a half-written record, and what follows reads as if it never was', () => {
    const writer = new BinaryWriter();
    writer.string('kept');
    const mark = writer.mark();
    writer.u8(9);
    writer.string('half');
    writer.rollback(mark);
    writer.f64(1.5);
    const reader = new BinaryReader(writer.take());
    expect([reader.string(), reader.f64(), reader.isDone]).toEqual(['kept', 1.5, true]);
  });
});
