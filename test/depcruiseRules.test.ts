import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIG = fileURLToPath(new URL('../.dependency-cruiser.cjs', import.meta.url));
const require = createRequire(import.meta.url);
const DEPCRUISE = fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));
const RULE_NAMES = (require(CONFIG) as { forbidden: { name: string }[] }).forbidden.map((rule) => rule.name);

/**
 * A miniature repository laid out like ours: every import the arrows allow, and one violation of
 * each rule, each in a file of its own.
 */
const FILES: Readonly<Record<string, string>> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', dependencies: { xstate: '1', bullmq: '1', piscina: '1' } }),
  ...fakePackage('xstate'),
  ...fakePackage('bullmq'),
  ...fakePackage('piscina'),
  // Allowed.
  'src/types.ts': 'export type TaskStatus = "pending"; export const TaskPriority = { LOW: 1 };',
  'src/errors.ts': 'export class SchedulerError extends Error {}',
  'src/core/scheduler.ts': 'export type Scheduler = { id: string };',
  'src/internal/Heap.ts': 'import type { TaskStatus } from "../types.js"; export type H = TaskStatus; export class Heap {}',
  'machines/taskMachine.ts':
    'import { setup } from "xstate"; import { Heap } from "../src/internal/Heap.js"; import type { TaskStatus } from "../src/types.js";' +
    ' export const m = [setup, Heap]; export type S = TaskStatus;',
  'src/core/createScheduler.ts':
    'import { m } from "../../machines/taskMachine.js"; import { SchedulerError } from "../errors.js"; import { inline } from "../executors/inline.js";' +
    ' export const c = [m, SchedulerError, inline];',
  'src/light.ts': 'import { c } from "./core/createScheduler.js"; import { s } from "./simulate/simulate.js"; export const l = [c, s];',
  'src/index.ts': 'export { l } from "./light.js";',
  'src/core/Executor.ts': 'export interface Executor { run(): void }',
  'src/executors/inline.ts': 'import type { Executor } from "../core/Executor.js"; export const inline: Executor = { run() {} };',
  'src/workers/pool.ts': 'import piscina from "piscina"; export const pool = piscina;',
  'src/core/Supervisor.ts': 'import type { Executor } from "./Executor.js"; import { inline } from "../executors/inline.js"; export const r: Executor = inline;',
  'src/simulate/simulate.ts': 'export const s = 1;',
  'src/dashboard/startDashboard.ts':
    'import type { Scheduler } from "../core/scheduler.js"; import { SchedulerError } from "../errors.js"; import { TaskPriority } from "../types.js";' +
    ' import { inline } from "../executors/inline.js"; export const d = (x: Scheduler) => [x, SchedulerError, TaskPriority, inline];',
  'src/cli/main.ts': 'import { d } from "../dashboard/startDashboard.js"; import { l } from "../index.js"; export const main = [d, l];',
  'src/cli/bin.ts': 'import { main } from "./main.js"; console.log(main);',
  // Forbidden, one rule each (src/light.ts above also reaches the simulator from src/index.ts).
  'src/internal/usesErrors.ts': 'import { SchedulerError } from "../errors.js"; export const e = SchedulerError;',
  'machines/usesErrors.ts': 'import { SchedulerError } from "../src/errors.js"; export const e = SchedulerError;',
  'machines/typesAsValue.ts': 'import { TaskPriority } from "../src/types.js"; export const p = TaskPriority;',
  'src/internal/readsFiles.ts': 'import { readFileSync } from "node:fs"; export const r = readFileSync;',
  'src/internal/usesXstate.ts': 'import { setup } from "xstate"; export const s = setup;',
  'src/usesDashboard.ts': 'import { d } from "./dashboard/startDashboard.js"; export const u = d;',
  'src/simulate/usesCli.ts': 'import { main } from "../cli/main.js"; export const u = main;',
  'src/dashboard/usesRuntime.ts': 'import { r } from "../core/Supervisor.js"; export const u = r;',
  'src/cycleA.ts': 'import type { B } from "./cycleB.js"; export type A = { b?: B };',
  'src/cycleB.ts': 'import type { A } from "./cycleA.js"; export type B = { a?: A };',
  'src/simulate/usesBackend.ts': 'import { Queue } from "bullmq"; export const q = Queue;',
};

const EXPECTED: readonly (readonly [rule: string, from: string, to: string])[] = [
  ['internal-imports-only-types', 'src/internal/usesErrors.ts', 'src/errors.ts'],
  ['machines-import-internal-and-types', 'machines/usesErrors.ts', 'src/errors.ts'],
  ['types-only-as-types', 'machines/typesAsValue.ts', 'src/types.ts'],
  ['no-io-in-machines-or-internal', 'src/internal/readsFiles.ts', 'fs'],
  ['internal-without-packages', 'src/internal/usesXstate.ts', 'node_modules/xstate/index.js'],
  ['core-not-to-cli-or-dashboard', 'src/usesDashboard.ts', 'src/dashboard/startDashboard.ts'],
  ['cli-only-from-its-bin', 'src/simulate/usesCli.ts', 'src/cli/main.ts'],
  ['dashboard-uses-public-api', 'src/dashboard/usesRuntime.ts', 'src/core/Supervisor.ts'],
  ['dashboard-uses-public-api', 'src/dashboard/startDashboard.ts', 'src/executors/inline.ts'],
  ['core-entry-stays-light', 'src/index.ts', 'src/simulate/simulate.ts'],
  ['supervisor-sees-only-interfaces', 'src/core/Supervisor.ts', 'src/executors/inline.ts'],
  // depcruise reports a cycle once, at the edge where its walk closes it.
  ['no-circular', 'src/cycleA.ts', 'src/cycleB.ts'],
  ['backends-only-in-adapters', 'src/simulate/usesBackend.ts', 'node_modules/bullmq/index.js'],
];

function fakePackage(name: string): Record<string, string> {
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js' }),
    [`node_modules/${name}/index.js`]: 'export const setup = 1, Queue = 1; export default 1;',
  };
}

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

describe('.dependency-cruiser.cjs', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'xeno-depcruise-'));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports each deliberate violation under its rule, and nothing the arrows allow', async () => {
    const run = promisify(execFile)(process.execPath, [DEPCRUISE, 'src', 'machines', '--config', CONFIG, '--output-type', 'json'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    // depcruise exits non-zero when it finds errors; the JSON is on stdout either way.
    const { stdout } = await run.catch((error: { stdout: string }) => error);
    const violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
    const found = violations.map((v) => [v.rule.name, v.from, v.to] as const);
    expect([...found].sort()).toEqual([...EXPECTED].sort());
  });

  it('has a deliberate violation for every rule', () => {
    expect(new Set(EXPECTED.map(([rule]) => rule))).toEqual(new Set(RULE_NAMES));
  });
});
