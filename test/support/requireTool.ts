import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real parts some tests drive, where each is found and how to install it. Every test that
 * needs one asks through `requireTool` or `skipWithout`: on a developer's machine a missing one
 * skips the test with this reason; with `CI` set it fails, so CI cannot pass by skipping.
 */
const TOOLS = {
  'redis-server': {
    find: () => onPath('redis-server'),
    install: 'apt-get install -y redis-server (the distributed tests start their own Redis)',
  },
  promtool: {
    find: () => (existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : undefined),
    install: "apt-get install -y --no-install-recommends prometheus (Prometheus' own promtool checks the metrics page)",
  },
  chromium: {
    find: () => (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
    install: "apt-get install -y chromium (the dashboard's end-to-end tests drive a real browser)",
  },
  'STG data': {
    find: () => (existsSync(stgDir()) ? stgDir() : undefined),
    install: 'lay the Standard Task Graph Set (50/ and 100/ folders of .stg files) there, or point XENO_STG_DIR at it',
  },
} as const;

export type ToolName = keyof typeof TOOLS;

/** Where the STG graphs are: `XENO_STG_DIR`, else the copy in test/fixtures/stg/. */
export function stgDir(): string {
  const dir = process.env['XENO_STG_DIR'] ?? fileURLToPath(new URL('../fixtures/stg/', import.meta.url));
  return dir.endsWith('/') ? dir : `${dir}/`;
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** True when the `CI` variable is set to anything but empty, `0` or `false` (how CI services set it). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI']?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Where a tool is (its path, or the STG folder), or undefined when it is missing. */
export function findTool(name: ToolName): string | undefined {
  return TOOLS[name].find();
}

/** Why a test that needs `name` cannot run here. */
export function missingReason(name: ToolName): string {
  const where = name === 'STG data' ? ` at ${stgDir()}` : '';
  return `${name} not found${where}: ${TOOLS[name].install}`;
}

const warned = new Set<ToolName>();

/**
 * The reason to skip tests that need `name`, or undefined when it is here; for
 * `describe.skipIf(requireTool('redis-server') !== undefined)`. With `CI` set a missing tool
 * throws instead, which fails the test file.
 */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (findTool(name) !== undefined) return undefined;
  const reason = missingReason(name);
  if (inCi(env)) throw new Error(`CI is set, so this test may not skip: ${reason}`);
  if (!warned.has(name)) console.warn(`skipping tests: ${reason}`);
  warned.add(name);
  return reason;
}

/** Inside a test: skips it (with the reason) when `name` is missing, or fails it with `CI` set. */
export function skipWithout(context: { skip(note?: string): never }, name: ToolName): string {
  const reason = requireTool(name);
  if (reason !== undefined) context.skip(reason);
  return findTool(name) as string;
}
