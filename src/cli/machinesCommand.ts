import { exportMachines } from '../inspection/exportMachines.js';
import { machinesToJson, type MachineJson } from '../inspection/machinesToJson.js';
import { toStatechartOutline, type StateNodeJson } from '../inspection/toStatechartOutline.js';
import type { CliIo } from './CliIo.js';
import { ExitCode } from './ExitCode.js';

/** Flags of `xeno-scheduler machines`. */
export interface MachinesFlags {
  /** Print every machine as JSON for the Stately editor and visualizer. */
  readonly json?: boolean | undefined;
}

function describeMachine(machine: MachineJson): string {
  if (machine.kind === 'actor-logic') {
    return `${machine.name} (actor logic): ${machine.description}\n  events: ${machine.events.map((event) => event.type).join(', ')}`;
  }
  const outline = toStatechartOutline(machine.definition as StateNodeJson);
  const states = outline.states.map((state) => state.path).join(', ');
  return `${machine.name} (statechart, ${outline.states.length} states, ${outline.transitions.length} transitions): ${machine.description}\n  states: ${states}`;
}

/**
 * `xeno-scheduler machines`: the scheduler's statecharts and actor logics. With `--json`, the
 * document of `exportMachines()` (paste a statechart's `config` into the Stately editor);
 * without, a short listing of each with its states or events.
 *
 * @example
 * process.exitCode = machinesCommand({ json: true }, processIo);
 */
export function machinesCommand(flags: MachinesFlags, io: CliIo): ExitCode {
  const text = flags.json ? exportMachines() : machinesToJson().map(describeMachine).join('\n\n');
  io.stdout.write(`${text}\n`);
  return ExitCode.OK;
}
