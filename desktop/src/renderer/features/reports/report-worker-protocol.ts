import type { ReportColumn, ReportRequestInput, ReportTotals } from '@stockverify/shared';
import type { ReportFormat, ReportJobResult } from './report-job';

/** What the console asks the report worker to do. */
export interface ReportWorkerRequest {
  baseUrl: string;
  token: string;
  request: ReportRequestInput;
  format: ReportFormat;
  title: string;
  columns: readonly ReportColumn[];
  summary: Array<[string, string]>;
}

/** A fresh access token, sent when the worker asks for one. */
export interface ReportWorkerToken {
  kind: 'token';
  token: string;
}

/** What the worker answers: progress (and token requests), then the file or an error. */
export type ReportWorkerMessage =
  | { kind: 'progress'; rows: number; total: number | null }
  | { kind: 'token-needed' }
  | { kind: 'done'; bytes: Uint8Array; result: ReportJobResult; apiTotals: ReportTotals | null }
  | { kind: 'error'; message: string };
