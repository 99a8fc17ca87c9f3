import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * What the default export of a telemetry setup module returns (or resolves to): the providers
 * the telemetry thread records on. A provider left out is the thread's global one, so a module
 * that registers an SDK globally (`NodeSDK.start()`) may return `{}` and a `shutdown`.
 *
 * @example
 * // telemetry.js, run in the telemetry thread
 * export default function setup({ url }) {
 *   const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))] });
 *   return { tracerProvider };
 * }
 */
export interface TelemetrySetup {
  readonly tracerProvider?: TracerProvider;
  readonly meterProvider?: MeterProvider;
  /** Exports what is buffered. @default `forceFlush()` of each provider that has one */
  forceFlush?(): Promise<void>;
  /** Exports what is left and lets go. @default `shutdown()` of each provider that has one */
  shutdown?(): Promise<void>;
}

/** The default export of a telemetry setup module: called once in the thread with `setupData`. */
export type TelemetrySetupFunction = (setupData: unknown) => TelemetrySetup | Promise<TelemetrySetup>;
