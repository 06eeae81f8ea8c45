export { buildReport, ReportBuilder, shardName, s3Link, DEFAULT_APDEX } from './report';
export { PERCENTILE_METHOD, REPORT_SCHEMA_VERSION } from './model';
export type * from './model';
export { plannedRequestsPerSec } from './series';
export { compareReports, comparisonMarkdown, DEFAULT_THRESHOLDS } from './compare';
export type { Comparison, CompareThresholds, EndpointComparison, MetricChange } from './compare';
export { planSummaryText, targetFromTestPlanSummary, thresholdsFromJson } from './target';
export { achievedText, achievedVsPlanned } from './steady';
export { judge, junitXml } from './thresholds';
export { assembleReport, parseReportJson, readShards, type AssembledReport, type AssembleRequest, type ShardSource } from './assemble';
export { renderHtml, type RenderOptions } from './html';
export { readJtl, readJtlFile, CsvParser, JtlFormatError, DEFAULT_JTL_COLUMNS, RETRY_AFTER_COLUMN, TOKEN_INDEX_COLUMN } from './jtl';
export { nearestRank } from './stats';
export { COST_UNKNOWN, reportCost, taskRecordFromJson, taskTimes, type CostRequest, type ReportCost, type TaskTimes } from './cost';

/** Result files the report reads: JMeter CSV results. */
export const RESULT_FILE = /\.(jtl|csv)$/i;
