import { describe, expect, it } from 'vitest';
import { LearnedEstimates } from '../../src/estimates/LearnedEstimates.js';
import { runMemoryHogs } from '../support/memoryHogs.js';

describe('memory: auto', () => {
  it('runs a workload whose requests are four times too large at least 1.5 times faster after one run, no task killed for memory', async () => {
    const learned = new LearnedEstimates();
    // 8 commands holding 100 MiB each declare 0.4 GiB of a 1 GiB pool: two at once.
    const declared = await runMemoryHogs(learned, 0.4);
    expect(declared.mostAtOnce).toBe(2);
    const auto = await runMemoryHogs(learned, 'auto');
    // p90 of ≈110 MiB plus 15%: about 0.13 GiB each, so seven fit where two did.
    const requested = auto.records[0]!.resources['memory']!;
    expect(requested).toBeGreaterThan(0.1);
    expect(requested).toBeLessThan(0.2);
    expect(auto.mostAtOnce).toBeGreaterThanOrEqual(5);
    expect(auto.records.every((record) => record.status === 'completed' && record.attempts === 1)).toBe(true);
    expect(declared.makespanMs / auto.makespanMs).toBeGreaterThanOrEqual(1.5);
  });
});
