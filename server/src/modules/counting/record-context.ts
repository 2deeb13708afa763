import type { ErrorDetail, RecordResult } from '@stockverify/shared';
import type { Coordination } from '../../ports/coordination';
import type { CountLineRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { Metrics } from '../monitoring/metrics';
import type { BatchCache } from './batch-cache';
import type { ReviewThresholds } from './review-rules';

/** What the counting service is built from (`createCountingService`); each part takes its share. */
export interface CountingDeps {
  store: Store;
  coordination: Coordination;
  audit: AuditLog;
  events: EventBus;
  clock: () => Date;
  review: ReviewThresholds;
  metrics?: Metrics;
  /** The blind rule and the warehouse boundaries (modules/access). */
  access: AccessPolicy;
  /** Settles the bins written lines touch (modules/recounts, docs/design.md §12); absent: none. */
  settlement?: LineSettlement;
}

/** What the counting module asks of bin settlement after it stored lines. */
export interface LineSettlement {
  afterLines(lines: readonly CountLineRecord[]): Promise<void>;
}

/** Who sent one record, from which phone, where it sits in the request, and the request's cache. */
export interface RecordContext {
  actor: Actor;
  meta: RequestMeta;
  deviceId: string | null;
  /** Path prefix of the record in the request (`records.3`), '' for the online endpoint. */
  prefix: string;
  batch: BatchCache;
}

/** The path of a field of the record in the request body (`records.3.rack`, or `rack` online). */
export function at(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** An ERROR answer: nothing was stored, and the phone sends the record again after a fix. */
export function recordError(
  opId: string,
  code: string,
  message: string,
  details: ErrorDetail[],
): RecordResult {
  return { op_id: opId, status: 'ERROR', code, message, details, line_id: null };
}
