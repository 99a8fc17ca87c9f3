import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricNames } from '../../src/monitoring/MetricNames.js';

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as { panels: Panel[] };
/** What the Prometheus exporter calls each metric: dots as underscores, counters with `_total`. */
const prometheusNames = new Set(
  Object.entries(MetricNames).map(([key, name]) => name.replaceAll('.', '_') + (key === 'tasksFinished' || key === 'taskRetries' ? '_total' : '')),
);
const histogramNames = [MetricNames.waitDuration, MetricNames.runDuration].map((name) => name.replaceAll('.', '_'));

describe('docs/grafana-dashboard.json', () => {
  it('queries only metrics that xeno-scheduler/monitoring emits, and shows every one of them', () => {
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        for (const [name] of expr.matchAll(/xeno_scheduler_\w+/g)) {
          const histogram = histogramNames.find((base) => [`${base}_bucket`, `${base}_sum`, `${base}_count`].includes(name));
          const metric = histogram ?? name;
          expect(prometheusNames.has(metric), `${panel.title}: ${name}`).toBe(true);
          used.add(metric);
        }
      }
    }
    expect([...used].sort()).toEqual([...prometheusNames].sort());
  });
});
