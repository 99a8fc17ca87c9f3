// The OpenTelemetry SDK of the monitoring bench, as an app sets it up: a BasicTracerProvider with
// a sampler and a BatchSpanProcessor with its default settings, and a MeterProvider with one reader.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

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

/**
 * The bench's SDK: providers whose exporter drops what it is given. `ratio` 1 records every span
 * (`AlwaysOnSampler`, the SDK's default); below 1 a root span is kept with that probability and a
 * child follows its parent (`ParentBasedSampler` around a `TraceIdRatioBasedSampler`), as
 * docs/monitoring.md advises for high-rate workloads.
 *
 * @example
 * const { tracerProvider, meterProvider } = setupTelemetry(0.1);
 */
export default function setupTelemetry(ratio: number): { tracerProvider: BasicTracerProvider; meterProvider: MeterProvider; exporter: DiscardingExporter } {
  const exporter = new DiscardingExporter();
  const sampler = ratio >= 1 ? new AlwaysOnSampler() : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  return {
    tracerProvider: new BasicTracerProvider({ sampler, spanProcessors: [new BatchSpanProcessor(exporter)] }),
    meterProvider: new MeterProvider({ readers: [new IdleReader()] }),
    exporter,
  };
}
