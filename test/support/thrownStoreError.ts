import { expect } from 'vitest';
import { TaskStoreError } from '../../src/errors.js';

/** The TaskStoreError a call throws (or fails the test). */
export function thrown(call: () => unknown): TaskStoreError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(TaskStoreError);
    return error as TaskStoreError;
  }
  throw new Error('expected a TaskStoreError');
}
