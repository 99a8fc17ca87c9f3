import type { Server } from 'node:http';

/** Why a server could not listen: the option it was about, and the system's code. */
export interface ListenFailure {
  /** `port` when it is in use or not allowed, else `host` (not an address of this machine). */
  readonly field: 'port' | 'host';
  readonly code: string;
}

/**
 * Starts `server` listening on `port` at `host`; rejects with a {@link ListenFailure} naming the
 * option at fault, so each caller can say it in its own error.
 *
 * @example
 * await listenServer(server, 9464, '127.0.0.1').catch((failure: ListenFailure) => refuse(failure.field, failure.code));
 */
export async function listenServer(server: Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const failure: ListenFailure = { field: code === 'EADDRINUSE' || code === 'EACCES' ? 'port' : 'host', code };
    throw failure;
  }
}
