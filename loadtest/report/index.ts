export { buildReport, ReportBuilder, shardName, s3Link, plannedRequestsPerSec, PERCENTILE_METHOD, REPORT_SCHEMA_VERSION } from './report';
export type { Report, ReportOptions, ReportTarget, LabelStats, ShardStats, ShardInput, LatencyStats } from './report';
export { compareReports, comparisonMarkdown, DEFAULT_THRESHOLDS } from './compare';
export type { Comparison, CompareThresholds, EndpointComparison, MetricChange } from './compare';
export { targetFromPlanSummary } from './target';
export { renderHtml, type RenderOptions } from './html';
export { readJtl, readJtlFile, CsvParser, JtlFormatError, DEFAULT_JTL_COLUMNS, RETRY_AFTER_COLUMN } from './jtl';
export { nearestRank } from './stats';

/** Result files the report reads: JMeter CSV results. */
export const RESULT_FILE = /\.(jtl|csv)$/i;
