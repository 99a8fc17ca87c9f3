import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LISTER = fileURLToPath(new URL('./support/listLoadedModules.mjs', import.meta.url));

/** The optional peer dependencies: packages loaded only by the entry or CLI flag that needs them. */
const OPTIONAL_PEERS = ['@opentelemetry/exporter-prometheus', '@opentelemetry/sdk-metrics', 'better-sqlite3', 'bullmq', 'ioredis'];
const OPTIONAL_PEER = /(^|\/)node_modules\/(bullmq|ioredis|better-sqlite3|@opentelemetry\/(sdk-[^/]+|exporter-[^/]+))\//;

/**
 * What `import ... from 'xeno-scheduler'` must never load (ARCHITECTURE.md): each has its own
 * entry point. Matched against module URLs relative to the repository's root.
 */
const NOT_IN_CORE: Readonly<Record<string, RegExp>> = {
  'the CLI': /^src\/cli\//,
  'the dashboard': /^src\/dashboard\/|(^|\/)node_modules\/ws\//,
  'config loading': /^src\/config\/|(^|\/)node_modules\/(zod|yaml)\//,
  'the simulator': /^src\/simulate\//,
  'the worker pool and other executors': /^src\/executors\/(createWorkerPool|workerEntry|commandTask|moduleTask|runDescriptor|index)\.ts$|(^|\/)node_modules\/piscina\/|^node:(child_process|worker_threads)$/,
  "a backend's client library": OPTIONAL_PEER,
};

/** Every module URL resolved while importing `entry` from the sources, relative to the root. */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', LISTER, entry], { cwd: ROOT });
  const rootUrl = new URL(`file://${ROOT}`).href;
  return (JSON.parse(stdout) as string[]).map((url) => (url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url));
}

function forbiddenIn(modules: readonly string[]): string[] {
  return Object.entries(NOT_IN_CORE).flatMap(([what, pattern]) =>
    modules.filter((m) => pattern.test(m)).map((m) => `${what}: ${m}`),
  );
}

interface PackageJson {
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly import: string }>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta: Readonly<Record<string, { readonly optional?: boolean }>>;
}
const packageJson = (): PackageJson => JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as PackageJson;

describe('the core entry (xeno-scheduler)', () => {
  it('loads the scheduler but none of the dashboard, config loading, simulator, executors or backends', async () => {
    const modules = await modulesLoadedBy('./src/index.ts');
    expect(modules).toContain('src/core/createScheduler.ts');
    expect(forbiddenIn(modules)).toEqual([]);
  });

  // The other entries load exactly what the core must not: this shows the check above can fail.
  it.each([
    ['./src/config/index.ts', 'config loading', 'node_modules/zod/'],
    ['./src/workers/index.ts', 'the worker pool and other executors', 'node_modules/piscina/'],
    ['./src/dashboard/index.ts', 'the dashboard', 'node_modules/ws/'],
    ['./src/simulate/index.ts', 'the simulator', 'src/simulate/simulate.ts'],
    ['./src/distributed/index.ts', "a backend's client library", 'node_modules/bullmq/'],
  ])('sees %s load %s', async (entry, what, module) => {
    const found = forbiddenIn(await modulesLoadedBy(entry));
    expect(found.some((line) => line.startsWith(`${what}: `) && line.includes(module))).toBe(true);
  });

  it('has a typed subpath export for each entry, built from its source file', () => {
    const { exports } = packageJson();
    const entries = {
      '.': 'index',
      './policies': 'policies/index',
      './stores': 'stores/index',
      './stores/sqlite': 'stores/sqlite/index',
      './workers': 'workers/index',
      './distributed': 'distributed/index',
      './inspection': 'inspection/index',
      './config': 'config/index',
      './simulate': 'simulate/index',
      './dashboard': 'dashboard/index',
      './monitoring': 'monitoring/index',
      './estimates': 'estimates/index',
    };
    expect(Object.keys(exports).filter((subpath) => subpath !== './package.json').sort()).toEqual(Object.keys(entries).sort());
    for (const [subpath, file] of Object.entries(entries)) {
      expect(exports[subpath]).toEqual({ types: `./dist/src/${file}.d.ts`, import: `./dist/src/${file}.js` });
      expect(existsSync(`${ROOT}src/${file}.ts`)).toBe(true);
    }
  });
});

/** The names (values and types) each entry exports, as TypeScript sees them. */
function exportedNames(): Map<string, string[]> {
  const files = [...ENTRY_FILES];
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  return new Map(
    files.map((file) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile);
      return [file.slice(ROOT.length), symbol === undefined ? [] : checker.getExportsOfModule(symbol).map((s) => s.name)];
    }),
  );
}
const ENTRY_FILES = ['index', 'policies/index', 'stores/index', 'stores/sqlite/index', 'workers/index', 'distributed/index', 'inspection/index', 'config/index', 'simulate/index', 'dashboard/index', 'monitoring/index', 'estimates/index'].map(
  (file) => `${ROOT}src/${file}.ts`,
);

describe('the public surface', () => {
  const names = exportedNames();

  it('keeps the core entry small: at most 45 names, values and types, what an app needs to schedule, watch and handle errors', () => {
    const core = names.get('src/index.ts') ?? [];
    expect(core).toContain('createScheduler');
    expect(core.length).toBeLessThanOrEqual(45);
    // Building blocks live in the entry they belong to.
    for (const name of ['heapQueue', 'comparePriority', 'agingRatePerMs', 'resourcePoolLogic', 'foldTransition', 'initialTaskState', 'NodeStatus']) expect(core).not.toContain(name);
  });

  it('exports every error class a user can receive from some entry', () => {
    const exported = new Set([...names.values()].flat());
    const errorClasses = execFileSync('grep', ['-rhoE', '^export class [A-Za-z]+Error', `${ROOT}src`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('export class ', ''))
      // The dashboard's request-body error never leaves its server: it becomes an HTTP answer.
      .filter((name) => name !== 'BodyError');
    expect(errorClasses.length).toBeGreaterThan(20);
    expect(errorClasses.filter((name) => !exported.has(name))).toEqual([]);
  });
});

describe('the optional peer dependencies (a lean install)', () => {
  it('are optional peers, installed for the repository only as devDependencies, never hard dependencies', () => {
    const { dependencies, devDependencies, peerDependencies, peerDependenciesMeta } = packageJson();
    expect(Object.keys(peerDependencies).sort()).toEqual(OPTIONAL_PEERS);
    for (const name of OPTIONAL_PEERS) {
      expect(peerDependenciesMeta[name], name).toEqual({ optional: true });
      expect(devDependencies[name], name).toBeDefined();
      expect(dependencies[name], name).toBeUndefined();
    }
  });

  it('are not loaded by the CLI until a command or flag needs one (type: distributed, worker, --metrics-port, --state)', async () => {
    const modules = await modulesLoadedBy('./src/cli/main.ts');
    expect(modules).toContain('src/cli/createProgram.ts');
    expect(modules.filter((m) => OPTIONAL_PEER.test(m))).toEqual([]);
  });
});
