import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { counted } from '../../src/cli/counted.js';
import { formatSeconds } from '../../src/cli/formatSeconds.js';
import { parseIntegerOption } from '../../src/cli/parseIntegerOption.js';
import { parsePolicyList } from '../../src/cli/parsePolicyList.js';
import { planLevels } from '../../src/cli/planLevels.js';
import { loadWorkload } from '../../src/config/loadWorkload.js';

describe('parseIntegerOption', () => {
  it('accepts whole numbers from its minimum and refuses the rest, saying what it expected', () => {
    const parse = parseIntegerOption(1);
    expect(parse('4')).toBe(4);
    for (const text of ['0', '-2', '1.5', 'four', '', '1e3', '99999999999999999999']) {
      expect(() => parse(text)).toThrow(InvalidArgumentError);
    }
    expect(() => parse('0')).toThrow('expected a whole number >= 1, received "0".');
    expect(parseIntegerOption(0)('0')).toBe(0);
  });
});

describe('parsePolicyList', () => {
  it('splits a comma-separated list of built-in policy names and refuses unknown ones', () => {
    expect(parsePolicyList('fifo, critical-path,')).toEqual(['fifo', 'critical-path']);
    expect(() => parsePolicyList('fifo,fastest')).toThrow(/expected policy names from priority, fifo, shortest-first, critical-path, fair-share/);
    expect(() => parsePolicyList(',')).toThrow(InvalidArgumentError);
  });
});

describe('formatSeconds', () => {
  it('shows seconds with two decimals below a minute, minutes and seconds above', () => {
    expect([0, 310, 59_994, 60_000, 187_400].map(formatSeconds)).toEqual(['0.00s', '0.31s', '59.99s', '1m 00s', '3m 07s']);
  });
});

describe('planLevels', () => {
  it('orders tasks by dependency level, keeping the file order within a level', () => {
    const { tasks } = loadWorkload('config/examples/data-processing.yaml');
    const plan = planLevels(tasks).map(({ level, task }) => `${level} ${task.name}`);
    expect(plan.slice(0, 5)).toEqual(['0 extract_orders', '0 extract_customers', '0 extract_inventory', '0 extract_payments', '1 clean_orders']);
    expect(plan.slice(-3)).toEqual(['3 aggregate_daily', '3 aggregate_by_region', '4 publish_report']);
  });
});

describe('counted', () => {
  it('says "1 task", not "1 tasks"', () => {
    expect([0, 1, 2].map((count) => counted(count, 'task'))).toEqual(['0 tasks', '1 task', '2 tasks']);
    expect(counted(1, 'running task')).toBe('1 running task');
  });
});
