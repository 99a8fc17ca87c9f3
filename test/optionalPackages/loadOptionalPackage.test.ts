import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SchedulerError } from '../../src/errors.js';
import { loadOptionalPackage } from '../../src/optionalPackages/loadOptionalPackage.js';
import { MissingPackageError } from '../../src/optionalPackages/MissingPackageError.js';

/** Names no one installs: how a missing optional peer dependency looks to Node. */
const ABSENT = 'xeno-scheduler-absent-peer';
const ABSENT_SCOPED = '@xeno-scheduler-absent/peer-metrics';
const importAbsent = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

describe('loadOptionalPackage', () => {
  it('names the missing package, what needs it and the command that installs it', async () => {
    const error = await loadOptionalPackage([ABSENT], 'a distributed run (type: distributed)', () => importAbsent(ABSENT)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingPackageError);
    expect(error).toBeInstanceOf(SchedulerError);
    expect(error).toMatchObject({ code: 'MISSING_PACKAGE', packageName: ABSENT, neededFor: 'a distributed run (type: distributed)' });
    expect((error as Error).message).toBe(
      `a distributed run (type: distributed) needs the package "${ABSENT}", which is not installed: run \`npm install ${ABSENT}\` in your app (xeno-scheduler lists it as an optional peer dependency, so it is not installed with it)`,
    );
    expect((error as Error).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('tells to install every package the feature needs, not only the first one found missing', async () => {
    const error = await loadOptionalPackage([ABSENT_SCOPED, ABSENT], 'the metrics endpoint', () => importAbsent(ABSENT_SCOPED)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ packageName: ABSENT_SCOPED, install: [ABSENT_SCOPED, ABSENT] });
    expect((error as Error).message).toBe(
      `the metrics endpoint needs the package "${ABSENT_SCOPED}" (with ${ABSENT}), which is not installed: run \`npm install ${ABSENT_SCOPED} ${ABSENT}\` in your app (xeno-scheduler lists them as optional peer dependencies, so they are not installed with it)`,
    );
  });

  it('names a scoped package by its scope and name, not the subpath imported', async () => {
    const error = await loadOptionalPackage([ABSENT_SCOPED], 'the metrics endpoint', () => importAbsent(`${ABSENT_SCOPED}/build/src/index.js`)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MissingPackageError', packageName: ABSENT_SCOPED });
  });

  it('recognises a package missing to require() as well (CommonJS drivers)', async () => {
    const require = createRequire(import.meta.url);
    const error = await loadOptionalPackage([ABSENT], 'an SQLite store on this Node', () => require(ABSENT) as unknown).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'MissingPackageError', packageName: ABSENT });
  });

  it('passes through a missing package that is not one it was told of, and any other failure, unchanged', async () => {
    const notOurs = await loadOptionalPackage(['bullmq'], 'a distributed run', () => importAbsent(ABSENT)).catch((caught: unknown) => caught);
    expect(notOurs).not.toBeInstanceOf(MissingPackageError);
    expect(notOurs).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    const broken = new Error('bullmq failed to start');
    await expect(loadOptionalPackage(['bullmq'], 'a distributed run', () => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('returns what it loads when the package is there', async () => {
    const { parse } = await loadOptionalPackage(['yaml'], 'config loading', () => import('yaml'));
    expect(parse('a: 1')).toEqual({ a: 1 });
  });
});
