import type { SpanContext } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FinishedSpans } from '../../src/monitoring/FinishedSpans.js';

const contextOf = (spanId: string): SpanContext => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1 });
const spanIds = (finished: FinishedSpans, ids: readonly string[]): string[] => (finished.linksTo(ids) ?? []).map((link) => link.context.spanId);

describe('FinishedSpans', () => {
  it('links to the remembered spans of the ids asked for, in their order, skipping unknown ids', () => {
    const finished = new FinishedSpans(10);
    finished.remember('a', contextOf('1'));
    finished.remember('b', contextOf('2'));
    expect(spanIds(finished, ['b', 'x', 'a'])).toEqual(['2', '1']);
    expect(finished.linksTo([])).toBeUndefined();
  });

  it('forgets the oldest past the limit, and remembers none at limit 0', () => {
    const finished = new FinishedSpans(2);
    finished.remember('a', contextOf('1'));
    finished.remember('b', contextOf('2'));
    finished.remember('c', contextOf('3'));
    expect(spanIds(finished, ['a', 'b', 'c'])).toEqual(['2', '3']);
    expect(finished.size).toBe(2);
    const none = new FinishedSpans(0);
    none.remember('a', contextOf('1'));
    expect(spanIds(none, ['a'])).toEqual([]);
  });

  it('keeps an id remembered again as its newest span, and its old slot does not evict it', () => {
    const finished = new FinishedSpans(2);
    finished.remember('a', contextOf('1'));
    finished.remember('a', contextOf('2'));
    finished.remember('b', contextOf('3'));
    expect(spanIds(finished, ['a', 'b'])).toEqual(['2', '3']);
  });

  it('keeps a span a dependent was held for past the limit until released, then as the most recent', () => {
    const finished = new FinishedSpans(1);
    finished.hold(['a']);
    finished.hold(['a']);
    finished.remember('a', contextOf('1'));
    finished.remember('b', contextOf('2'));
    finished.remember('c', contextOf('3'));
    expect(spanIds(finished, ['a', 'b', 'c'])).toEqual(['1', '3']);
    finished.release(['a']);
    expect(spanIds(finished, ['a'])).toEqual(['1']);
    finished.release(['a']);
    expect(spanIds(finished, ['a', 'c'])).toEqual(['1']);
    finished.release(['never-held']);
    expect(finished.size).toBe(1);
  });

  it('holds a span already kept when a late dependent is scheduled', () => {
    const finished = new FinishedSpans(1);
    finished.remember('a', contextOf('1'));
    finished.hold(['a']);
    finished.remember('b', contextOf('2'));
    expect(spanIds(finished, ['a', 'b'])).toEqual(['1', '2']);
  });

  it('agrees with a Map in insertion order that drops its oldest key, on any sequence of ids', () => {
    fc.assert(
      fc.property(fc.nat({ max: 5 }), fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 40 }), (limit, ids) => {
        const finished = new FinishedSpans(limit);
        const model = new Map<string, string>();
        ids.forEach((id, index) => {
          finished.remember(id, contextOf(String(index)));
          if (limit === 0) return;
          model.delete(id);
          model.set(id, String(index));
          if (model.size > limit) model.delete(model.keys().next().value as string);
        });
        const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
        expect(spanIds(finished, all)).toEqual(all.filter((id) => model.has(id)).map((id) => model.get(id)));
        expect(finished.size).toBe(model.size);
      }),
    );
  });
});
