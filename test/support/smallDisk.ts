import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterEach } from 'vitest';

/**
 * Real small disks for a test file: `mount(folder, size)` mounts a tmpfs of `size` on a new
 * `folder` (this needs root, as this machine's tests run; without it the test fails saying so,
 * it never skips), unmounted after each test; `grow` lifts the limit.
 *
 * @example
 * const disks = useSmallDisks();
 * const disk = disks.mount(temp.path('disk'), '256k');
 */
export function useSmallDisks(): { mount(folder: string, size: string): { folder: string; grow: (to: string) => void } } {
  const mounted: string[] = [];
  afterEach(() => {
    // Lazily: a test that failed with the store still open must not leave the disk mounted.
    for (const folder of mounted.splice(0)) execFileSync('umount', ['-l', folder]);
  });
  return {
    mount(folder, size) {
      mkdirSync(folder);
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', folder], { stdio: 'pipe' });
      } catch (error) {
        throw new Error(`this test mounts a ${size} tmpfs to fill a real disk, which needs root: ${String(error)}`);
      }
      mounted.push(folder);
      return { folder, grow: (to) => void execFileSync('mount', ['-o', `remount,size=${to}`, folder]) };
    },
  };
}
