import { machinesToJson } from './machinesToJson.js';

/**
 * {@link machinesToJson} as indented JSON text: what `xeno-scheduler machines --json` prints.
 * Paste an entry's `config` into the Stately editor, or load its `definition` in a visualizer.
 *
 * @example
 * process.stdout.write(`${exportMachines()}\n`);
 */
export function exportMachines(space = 2): string {
  return JSON.stringify(machinesToJson(), null, space);
}
