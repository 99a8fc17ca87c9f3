import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll } from 'vitest';

/** A metric reader a test collects from by hand (pull), as a Prometheus scrape does. */
export class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Registers an AsyncLocalStorage context manager for the test file, so an active span is seen across awaits. */
export function useContextManager(): void {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    contextManager.disable();
    context.disable();
  });
}
