// The arrows of ARCHITECTURE.md as dependency-cruiser rules; `npm run lint` fails on any of them.
// Cruised: src/ and machines/ (tests and benchmarks are consumers, like an app).
// test/depcruiseRules.test.ts shows that every rule fails on a deliberate violation.

/** Modules that are the core: the supervisor, its data structures and machines, the built-ins. */
const CORE = '^(machines/|src/[^/]+\\.ts$|src/(internal|core|inspection|policies|history)/)';
/**
 * The core but its facade: it sees stores and executors only through their interfaces (which live
 * in src/core/); the facade (createScheduler) may pick the inline executor as the default.
 */
const SUPERVISOR = '^src/core/';
const FACADE = '^src/core/createScheduler\\.ts$';
/** Backends' client libraries: loaded only by their adapter, never from the core entry. */
const BACKENDS = 'node_modules/(piscina|bullmq|ioredis|better-sqlite3|@opentelemetry/(sdk|exporter)-[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'internal-imports-only-types',
      comment:
        'src/internal/ is plain data structures: of ours it may import only other internal modules, ' +
        'and src/types.ts with `import type`. Turn a problem into data and let src/ make the error.',
      severity: 'error',
      from: { path: '^src/internal/' },
      to: { path: '^(src|machines)/', pathNot: '^src/(internal/|types\\.ts$)' },
    },
    {
      name: 'machines-import-internal-and-types',
      comment:
        'machines/ are pure statecharts: they may import machines/, src/internal/ and, with ' +
        '`import type`, src/types.ts; never the runtime, config, executors, CLI or dashboard.',
      severity: 'error',
      from: { path: '^machines/' },
      to: { path: '^src/', pathNot: '^src/(internal/|types\\.ts$)' },
    },
    {
      name: 'types-only-as-types',
      comment: 'machines/ and src/internal/ may import src/types.ts, but only with `import type`.',
      severity: 'error',
      from: { path: '^(machines|src/internal)/' },
      to: { path: '^src/types\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-io-in-machines-or-internal',
      comment: 'machines/ and src/internal/ do no I/O: no Node built-in modules.',
      severity: 'error',
      from: { path: '^(machines|src/internal)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'internal-without-packages',
      comment: 'src/internal/ is plain TypeScript: no XState, no package at all.',
      severity: 'error',
      from: { path: '^src/internal/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'core-not-to-cli-or-dashboard',
      comment: 'The core never imports the CLI or the dashboard; they sit on top of it.',
      severity: 'error',
      from: { path: CORE },
      to: { path: '^src/(cli|dashboard)/' },
    },
    {
      name: 'cli-only-from-its-bin',
      comment: 'Nothing imports src/cli/ but the CLI itself (its entry is src/cli/bin.ts).',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'dashboard-uses-public-api',
      comment:
        'The dashboard uses only what an embedding app could: the public core modules ' +
        '(index, types, errors, scheduler, events), inspection, and src/http (node:http helpers it ' +
        'shares with the metrics endpoint); no runtime internals, machines, config, executors or simulator.',
      severity: 'error',
      from: { path: '^src/dashboard/' },
      to: {
        path: '^(src|machines)/',
        pathNot: '^src/(dashboard/|inspection/|http/|(index|types|errors|events)\\.ts$|core/scheduler\\.ts$)',
      },
    },
    {
      name: 'core-entry-stays-light',
      comment:
        "The core entry (xeno-scheduler) never reaches the dashboard, config loading, the " +
        "simulator, the worker pool or a backend's client; they have their own entry points.",
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: {
        reachable: true,
        path: [
          '^src/(cli|dashboard|config|simulate)/',
          '^src/(workers|distributed)/',
          'node_modules/(zod|yaml|ws|commander|@statelyai/inspect)/',
          BACKENDS,
        ],
      },
    },
    {
      name: 'supervisor-sees-only-interfaces',
      comment:
        'The core knows stores and executors only by their interfaces, which live in src/core/ ' +
        '(adapters import them from there, never the reverse); the adapter is handed to it ' +
        '(createScheduler may choose the inline executor as the default).',
      severity: 'error',
      from: { path: SUPERVISOR, pathNot: FACADE },
      to: { path: '^src/(stores|executors|workers|distributed)/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles, type-only imports included: a cycle means two modules are one concept, ' +
        'or an interface lives in the wrong place (ports live with the core that uses them).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'backends-only-in-adapters',
      comment:
        "A backend's client library is loaded only by its adapter in src/stores/, src/workers/ or src/distributed/ " +
        '(and the OpenTelemetry SDK by the Prometheus endpoint in src/monitoring/, its own entry).',
      severity: 'error',
      from: { pathNot: '^src/(stores|workers|distributed|monitoring)/' },
      to: { path: BACKENDS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Keep `import type` edges, marked 'type-only', so rules can tell them from value imports.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
