import { createServer } from 'node:net';
import { resolveDashboardOptions, type DashboardOptions } from '../dashboard/resolveDashboardOptions.js';
import { ConfigurationError } from '../errors.js';
import { checkAllowedHosts } from '../monitoring/serveMetrics.js';
import { asFlagError } from './asFlagError.js';

/** The flags of a listener: the option names of its API mapped to the flags they come from. */
const DASHBOARD_FLAGS = { port: '--port', host: '--host', token: '--token', publicOrigin: '--public-origin', trustProxy: '--trust-proxy' } as const;
const METRICS_FLAGS = { port: '--metrics-port', host: '--metrics-host', allowedHosts: '--metrics-allowed-hosts' } as const;

/** Listens on `port` at `host` (0: any free port, which still checks the host) and lets go at once; refuses a busy port or a host not of this machine, naming the flag. */
async function probe(port: number, host: string, flags: { port: string; host: string }): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const [flag, expected, found] =
      code === 'EADDRINUSE' || code === 'EACCES' ? [flags.port, `a port free to listen on at ${host}`, `${port} (${code})`] : [flags.host, 'an address of this machine', `${host} (${code})`];
    throw new ConfigurationError([{ file: '<command line>', path: flag, line: undefined, expected, found }]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Checks the dashboard's and the metrics endpoint's flags before anything runs or is stored: the
 * dashboard's options (token, host, public origin), the metrics endpoint's allowed hosts, and that each port can be listened on (a busy port, a
 * host not of this machine). The listeners are started later, once the scheduler exists; one
 * that fails then anyway (a port taken meanwhile) is reported the same way by {@link asFlagError}.
 *
 * @throws ConfigurationError naming the flag, what was expected and what was found
 * @example
 * await checkListenFlags({ dashboard: { port: 4800, host: '127.0.0.1' }, metrics: undefined });
 */
export async function checkListenFlags(listeners: {
  dashboard: DashboardOptions | undefined;
  metrics: { port: number; host: string; allowedHosts?: readonly string[] } | undefined;
}): Promise<void> {
  const { dashboard, metrics } = listeners;
  if (dashboard !== undefined) {
    const resolved = await asFlagError(async () => resolveDashboardOptions(dashboard), DASHBOARD_FLAGS);
    await probe(resolved.port, resolved.host, DASHBOARD_FLAGS);
  }
  if (metrics !== undefined) {
    await asFlagError(async () => checkAllowedHosts(metrics.allowedHosts), METRICS_FLAGS);
    await probe(metrics.port, metrics.host, METRICS_FLAGS);
  }
}

export { DASHBOARD_FLAGS, METRICS_FLAGS };
