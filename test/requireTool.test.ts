import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool, inCi, requireTool } from './support/requireTool.js';

describe('requireTool (what a test needs from the machine)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('throws with CI set when a needed part is missing, so CI cannot pass by skipping', () => {
    vi.stubEnv('XENO_STG_DIR', '/nonexistent/stg');
    expect(() => requireTool('STG data', { CI: 'true' })).toThrow('CI is set, so this test may not skip: STG data not found at /nonexistent/stg/: lay the Standard Task Graph Set');
    expect(() => requireTool('STG data', { CI: '1' })).toThrow('CI is set');
  });

  it('skips with the reason, naming what to install, when CI is not set', () => {
    vi.stubEnv('XENO_STG_DIR', '/nonexistent/stg');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(requireTool('STG data', {})).toMatch(/^STG data not found at \/nonexistent\/stg\/: .*XENO_STG_DIR/);
    expect(requireTool('STG data', { CI: 'false' })).toBeDefined();
  });

  it('lets a test run when the part is there, CI or not', () => {
    vi.stubEnv('XENO_STG_DIR', process.cwd());
    expect(findTool('STG data')).toBe(`${process.cwd()}/`);
    expect(requireTool('STG data', { CI: '1' })).toBeUndefined();
  });

  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'woodpecker' }, true],
    [{ CI: '' }, false],
    [{ CI: '0' }, false],
    [{ CI: 'FALSE' }, false],
    [{}, false],
  ])('reads %j as CI: %s', (env, expected) => {
    expect(inCi(env)).toBe(expected);
  });
});
