/**
 * Shapes of server answers the console reads that `@stockverify/shared` does not declare (they are
 * the server's port records); kept to the fields the console uses.
 */
import type { CountSession, LineStatus } from '@stockverify/shared';

export interface SessionMetrics {
  items_in_snapshot: number;
  items_counted: number;
  lines: number;
  racks_total: number;
  racks_done: number;
  racks_claimed: number;
  total_variance: number | null;
  variance_value_at_cost: number | null;
  variance_value_at_price: number | null;
  counters: Array<{
    user_id: string;
    username: string;
    lines: number;
    items: number;
    racks: number;
    items_per_minute: number;
  }>;
}

export type SessionDetail = CountSession & { metrics: SessionMetrics };

export interface CountLine {
  id: string;
  rack: string;
  item_code: string;
  barcode: string | null;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  book_qty: number;
  variance: number;
  value_at_cost: number;
  status: LineStatus;
  review_reasons: string[];
  review_note: string | null;
  variance_reason: string | null;
  counted_by_name: string;
  counted_at: string;
  /** Every other field of the line, shown in the line detail drawer (issue #14). */
  op_id: string;
  item_name: string | null;
  serials: string[];
  batch_no: string | null;
  mfg_date: string | null;
  expiry_date: string | null;
  condition: string;
  variance_confirmed: boolean;
  remark: string | null;
  photo_ids: string[];
  supersedes: string | null;
  superseded_by: string | null;
  value_at_price: number;
  reviewed_by: string | null;
  reviewed_at: string | null;
  counted_by: string;
  device_id: string | null;
  claim_id: string | null;
  fencing_token: number | null;
  received_at: string;
  /** The line this recount corrects, when it corrects one. */
  supersedes_line: SupersededLine | null;
}

export interface SupersededLine {
  id: string;
  op_id: string;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  variance: number;
  status: LineStatus;
  counted_by_name: string;
  counted_at: string;
  variance_reason: string | null;
  remark: string | null;
}

export interface ItemVariance {
  item_code: string;
  name: string;
  category: string | null;
  book_qty: number;
  counted_qty: number;
  damaged_qty: number;
  non_returnable_damaged_qty: number;
  variance: number;
  value_at_cost: number;
  value_at_price: number;
  lines: number;
  racks: string[];
}

export interface Conflict {
  id: string;
  rack: string | null;
  code: string;
  message: string;
  username: string;
  created_at: string;
  status: 'OPEN' | 'ACCEPTED' | 'DISCARDED';
  record: Record<string, unknown>;
}

export interface UnknownItem {
  id: string;
  rack: string;
  barcode: string;
  description: string;
  counted_qty: number;
  counted_by_name: string;
  status: 'OPEN' | 'MAPPED' | 'NOT_OURS';
  mapped_item_code: string | null;
}

export type RackState =
  'not_started' | 'claimed' | 'paused' | 'completed' | 'recount' | 'available';

export interface RackView {
  code: string;
  floor: string;
  state: RackState;
  claimant: { user_id: string; username: string; last_heartbeat_at: string } | null;
  lines: number;
  has_variances: boolean | null;
}

export interface WarehouseSummary {
  id: string;
  name: string;
  floors: Array<{ code: string; name: string }>;
  rack_count: number;
}

export interface LiveEvent {
  type:
    'session' | 'claim' | 'lock' | 'heartbeat' | 'scan' | 'conflict' | 'unknown_item' | 'review';
  action: string;
  session_id: string | null;
  rack?: string | null;
  user_id?: string | null;
  username?: string | null;
  at: string;
  data?: Record<string, unknown>;
}

export interface ActiveUser {
  user_id: string;
  username: string;
  session_id: string;
  session_name: string;
  warehouse: string;
  racks: string[];
  device_id: string | null;
  last_seen: string;
}

export interface Kpis {
  since: string;
  counted_today: number;
  active_counters: number;
  accuracy_today: number | null;
  variance_value_today: number;
  open_sessions: number;
  open_conflicts: number;
  active_claims: number;
}
