/** The charts of the report page, built from the report's series (svg-charts.ts draws them). */
import { fmt } from './html-text';
import type { Report } from './model';
import { plannedRequestsPerSec } from './series';
import {
  ACHIEVED_COLOR,
  barChart,
  DASHES,
  ERROR_COLOR,
  histogramChart,
  lineChart,
  PALETTE,
  percentileBars,
  PLANNED_COLOR,
  PLANNED_DASH,
  THROTTLED_COLOR,
  type LineSeries,
} from './svg-charts';

/** Throughput per endpoint, all endpoints together, and the planned rate (drawn last, over the achieved) when known. */
function throughputSeries(report: Report): LineSeries[] {
  const series: LineSeries[] = report.endpoints.map((e, k) => ({
    name: e.label,
    values: report.series.byLabel[e.label]?.requestsPerSec ?? [],
    color: PALETTE[k % PALETTE.length],
    dash: DASHES[k % DASHES.length],
  }));
  series.push({ name: 'achieved, all endpoints', values: report.series.all.requestsPerSec, color: ACHIEVED_COLOR, dash: '', width: 2.4 });
  if (report.target) {
    series.push({
      name: `planned, all endpoints (${fmt(report.target.requestsPerMinute)}/min)`,
      values: plannedRequestsPerSec(report, report.target.requestsPerMinute),
      color: PLANNED_COLOR,
      dash: PLANNED_DASH,
      width: 3,
    });
  }
  return series;
}

const percentOf = (values: readonly (number | null)[]): (number | null)[] => values.map((v) => (v === null ? null : v * 100));

/** Charts over time, in page order. */
export function timeCharts(report: Report): string[] {
  const t = report.series.t;
  const target = report.target;
  const unit = `${report.bucketSec} s buckets`;
  return [
    lineChart(
      {
        id: 'throughput',
        title: target ? 'Throughput per endpoint, achieved and planned' : 'Throughput per endpoint',
        unit: `requests/s, ${unit}`,
        note: target
          ? `Planned (dashed, on top): ${fmt(target.requestsPerMinute)} requests/min over all shards after a ${fmt(target.rampUpSec)} s ramp-up (from ${target.source}).`
          : 'No planned rate known: pass --jmx-summary <scenario>.summary.json or --target-rpm to draw it.',
      },
      t,
      throughputSeries(report),
    ),
    lineChart(
      {
        id: 'latency',
        title: 'Response time, all endpoints',
        unit: `ms, ${unit}`,
        note: 'Percentiles of all samples in each bucket, across every shard (nearest rank).',
      },
      t,
      [
        { name: 'p50', values: report.series.all.latencyMs.p50, color: PALETTE[0], dash: '' },
        { name: 'p90', values: report.series.all.latencyMs.p90, color: PALETTE[1], dash: '' },
        { name: 'p99', values: report.series.all.latencyMs.p99, color: PALETTE[2], dash: '' },
      ],
    ),
    lineChart(
      { id: 'errors', title: 'Error and 429 share', unit: `% of requests per bucket (${unit})` },
      t,
      [
        { name: 'errors (all failures, 429 included)', values: percentOf(report.series.all.errorShare), color: ERROR_COLOR, dash: '' },
        { name: '429 Too Many Requests', values: percentOf(report.series.all.throttledShare), color: THROTTLED_COLOR, dash: '7 4' },
      ],
      (v) => `${fmt(v)} %`,
    ),
    barChart(
      { id: 'retry-after', title: 'Retry-After rests', unit: 'seconds tokens rested per bucket, all shards' },
      t,
      report.series.all.retryAfterSec,
      {
        empty: 'No 429 responses, so no Retry-After rests.',
        unit: 's',
      },
    ),
    barChart(
      { id: 'drops', title: 'Arrivals dropped by the plan’s gate', unit: 'per second (token resting after a 429, or capped)' },
      t,
      report.series.droppedPerSec,
      { empty: 'No arrival was dropped (or the plan did not record drops).', unit: '/s', color: PALETTE[4] },
    ),
    lineChart({ id: 'threads', title: 'Active threads', unit: 'all shards (each shard’s highest in the bucket, summed)' }, t, [
      { name: 'active threads', values: report.series.threads, color: PALETTE[3], dash: '' },
    ]),
    lineChart({ id: 'bytes', title: 'Bytes received and sent', unit: 'KB/s' }, t, [
      { name: 'received', values: report.series.bytesReceivedPerSec.map((v) => Math.round(v / 102.4) / 10), color: PALETTE[0], dash: '' },
      { name: 'sent', values: report.series.bytesSentPerSec.map((v) => Math.round(v / 102.4) / 10), color: PALETTE[5], dash: '9 5' },
    ]),
  ];
}

export function endpointCharts(report: Report): { percentiles: string; histograms: string[] } {
  return {
    percentiles: percentileBars(
      { id: 'percentiles', title: 'Response time percentiles per endpoint', unit: `ms, all shards merged, steady state` },
      report.steady.endpoints,
    ),
    histograms: report.steady.endpoints.map((e, k) =>
      e.histogram
        ? histogramChart(
            { id: `hist-${k}`, title: e.label, unit: `samples per ${fmt(e.histogram.binMs)} ms, steady state` },
            e.histogram.binMs,
            e.histogram.counts,
            PALETTE[k % PALETTE.length],
          )
        : '',
    ),
  };
}

export function shardChart(report: Report): string {
  return lineChart(
    {
      id: 'shards',
      title: 'Requests per shard',
      unit: 'requests/s',
      note: 'Shards started together should overlap; a late or missing line is a shard that started late or failed.',
    },
    report.series.t,
    Object.entries(report.series.requestsPerSecByShard).map(([name, values]) => ({ name, values })),
  );
}
