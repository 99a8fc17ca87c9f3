import { expect } from 'vitest';
import { TaskStoreError } from '../../src/errors.js';

/** The error of class `kind` a call throws (or fails the test). */
export function thrownOf<E extends Error>(kind: new (...args: never[]) => E, call: () => unknown): E {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
    return error as E;
  }
  throw new Error(`expected a ${kind.name}`);
}

/** The TaskStoreError a call throws (or fails the test). */
export function thrown(call: () => unknown): TaskStoreError {
  return thrownOf(TaskStoreError, call);
}
