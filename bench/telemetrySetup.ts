// The OpenTelemetry SDK of the monitoring bench, as an app sets it up: a BasicTracerProvider with
// its default sampler (every span recorded) and a BatchSpanProcessor with its default settings,
// and a MeterProvider with one reader. Used in the bench's own thread ('on') and as the setup
// module of its telemetry thread ('on, thread').
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetrySetup } from '../src/monitoring/TelemetrySetup.js';

/** Takes spans as a real exporter would and drops them: what is measured is the SDK's work, not a network. */
class DiscardingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.spans += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** A metric reader nobody collects from during the round, as a Prometheus scrape every 15 s would not. */
class IdleReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** The bench's SDK: providers whose exporter drops what it is given. */
export default function setup(): TelemetrySetup & { tracerProvider: BasicTracerProvider; meterProvider: MeterProvider } {
  return {
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DiscardingExporter())] }),
    meterProvider: new MeterProvider({ readers: [new IdleReader()] }),
  };
}
