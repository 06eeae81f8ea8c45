export { buildReport, ReportBuilder, shardName, s3Link, PERCENTILE_METHOD, REPORT_SCHEMA_VERSION } from './report';
export type { Report, ReportOptions, LabelStats, ShardStats, ShardInput, LatencyStats } from './report';
export { renderHtml } from './html';
export { readJtl, readJtlFile, CsvParser, JtlFormatError, DEFAULT_JTL_COLUMNS, RETRY_AFTER_COLUMN } from './jtl';
export { nearestRank } from './stats';

/** Result files the report reads: JMeter CSV results. */
export const RESULT_FILE = /\.(jtl|csv)$/i;
