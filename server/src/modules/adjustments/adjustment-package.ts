/**
 * The adjustment package of a reconciled session (issue #7): the stock adjustments an ERP team
 * imports to bring book quantities in line with what was counted. The ERP stays read-only to
 * Stock Verify; this package (and the optional staging-table writer) is the hand-over.
 *
 * Which adjustments: a session can only be reconciled once no line needs review and no conflict
 * is open (sessions.service), so at that point every line that still counts (not superseded, not
 * rejected: PENDING below the review thresholds, APPROVED by a supervisor, or RECOUNT kept as
 * it was) is approved: explicitly by its reviewer, or by the supervisor who reconciled. The
 * per-item quantities are exactly those of `GET /sessions/:id/variances`, so the package's
 * totals equal that endpoint's to the cent; items whose variance is zero need no adjustment and
 * are left out.
 *
 * Items that moved (issue #17, design §13 "The wiring": the adjustment package): an item the
 * supervisor decided posts its target − live book (`basis` keep_counted / keep_difference); a moved
 * item without a decision whose variance at count is exact posts that variance against the live
 * book (`basis: 'at_count'`); every other row posts the snapshot variance (`basis: 'snapshot'`),
 * as before. Every row keeps `snapshot_variance` and `variance_at_count` beside what it posts.
 */
import { createHash } from 'node:crypto';
import { roundMoney, roundQty } from '@stockverify/shared';
import type {
  AdjustmentBasis,
  BinRecord,
  CountSession,
  MovedLineChoice,
} from '@stockverify/shared';
import type { CountLineRecord, ItemVariance } from '../../ports/counting';
import {
  PACKAGE_FORMAT,
  type AdjustmentPackage,
  type AdjustmentRow,
} from '../../ports/erp-writeback';

export { PACKAGE_FORMAT };
export type { AdjustmentPackage, AdjustmentRow };

/** JSON with object keys sorted at every level, so equal data always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The package's content hash: SHA-256 over the canonical JSON of the rows. */
export function contentHash(rows: readonly AdjustmentRow[]): string {
  return createHash('sha256').update(canonicalJson(rows), 'utf8').digest('hex');
}

export type PackageLine = Pick<
  CountLineRecord,
  'item_code' | 'variance_reason' | 'status' | 'reviewed_by' | 'reviewed_at'
> &
  Partial<
    Pick<
      CountLineRecord,
      | 'rack'
      | 'phase'
      | 'counted_by_name'
      | 'counted_qty'
      | 'non_returnable_damaged_qty'
      | 'received_at'
    >
  >;

export type PackageBin = Pick<
  BinRecord,
  'rack' | 'item_code' | 'state' | 'quantity' | 'rule_id' | 'rule_version'
>;

/** Per item, its bins with their counts (issue #16 item 6), in a fixed order for the hash. */
function binsByItem(
  lines: readonly PackageLine[],
  bins: readonly PackageBin[],
): Map<string, NonNullable<AdjustmentRow['bins']>> {
  const countsOf = new Map<string, PackageLine[]>();
  for (const l of lines) {
    if (l.status === 'REJECTED' || l.rack === undefined) continue;
    const key = `${l.item_code}\u0000${l.rack}`;
    const list = countsOf.get(key) ?? [];
    list.push(l);
    countsOf.set(key, list);
  }
  const out = new Map<string, NonNullable<AdjustmentRow['bins']>>();
  for (const bin of [...bins].sort((a, b) => (a.rack < b.rack ? -1 : a.rack > b.rack ? 1 : 0))) {
    const counts = (countsOf.get(`${bin.item_code}\u0000${bin.rack}`) ?? [])
      .slice()
      .sort(
        (a, b) =>
          (a.phase ?? 0) - (b.phase ?? 0) ||
          (a.received_at ?? '').localeCompare(b.received_at ?? ''),
      )
      .map((l) => ({
        phase: l.phase ?? 0,
        counter: l.counted_by_name ?? '',
        quantity: roundQty((l.counted_qty ?? 0) - (l.non_returnable_damaged_qty ?? 0)),
        taken: l.status !== 'CANDIDATE',
      }));
    const list = out.get(bin.item_code) ?? [];
    list.push({
      rack: bin.rack,
      state: bin.state,
      quantity: bin.quantity === null ? null : roundQty(bin.quantity),
      rule_id: bin.rule_id,
      rule_version: bin.rule_version,
      counts,
    });
    out.set(bin.item_code, list);
  }
  return out;
}

export interface PackageInput {
  session: CountSession;
  /** Who reconciled (username), from the audit trail. */
  reconciledBy: string;
  /** `store.lines.variances(session)`, the numbers of GET /sessions/:id/variances. */
  variances: readonly ItemVariance[];
  /**
   * The session's lines not superseded (rejected and candidate ones too: they are left out of the
   * approvals but candidates are listed among their bin's counts).
   */
  lines: readonly PackageLine[];
  /** The session's bins (`BinRepo.all`): state, quantity and deciding rule per item and rack. */
  bins?: readonly PackageBin[];
  /** user id → username, for reviewers. */
  usernames: ReadonlyMap<string, string>;
  /** item code → cost in the session's book snapshot (0 for an item outside it, as variances). */
  unitCosts: ReadonlyMap<string, number>;
  generatedAt: string;
  /**
   * Decisions for moved items (issue #17, design §13), per item code: the figures against today's
   * book, or why the decision cannot be applied now. Items absent keep the snapshot variance.
   */
  moved?: ReadonlyMap<string, MovedRow>;
  /** item code → price in the snapshot, to value a decided item's adjustment. */
  unitPrices?: ReadonlyMap<string, number>;
  /**
   * The expected at count of each item that moved after the snapshot (moved-items.ts), computed
   * when the package is built. Items absent did not move: `notMoved` says whether that is known
   * (`not_moved`: the session has a watermark) or not (`unknown`, the default).
   */
  atCount?: ReadonlyMap<string, AtCountRow>;
  notMoved?: 'not_moved' | 'unknown';
}

/** A moved item's expected at count and, when exact, its default posting against today's book. */
export interface AtCountRow {
  status: 'exact' | 'ambiguous' | 'unknown';
  variance_at_count_milli: number | null;
  figures: {
    live_book_milli: number;
    live_book_watermark: string | null;
    target_milli: number;
    delta_milli: number;
  } | null;
}

/** One decided item's figures in thousandths, or the code that refused it at build time. */
export type MovedRow =
  | {
      mode: MovedLineChoice;
      live_book_milli: number;
      live_book_watermark: string | null;
      target_milli: number;
      delta_milli: number;
    }
  | { mode: MovedLineChoice; refused: string };

const NO_DECISION = {
  moved_mode: null,
  live_book_qty: null,
  live_book_watermark: null,
  target_qty: null,
  moved_adjustment: null,
  moved_refused: null,
} as const;

/** Builds the package from a reconciled session's variances and lines. */
export function buildAdjustmentPackage(input: PackageInput): AdjustmentPackage {
  const { session, reconciledBy, variances, lines, usernames } = input;
  if (session.status !== 'RECONCILED' || !session.reconciled_at) {
    throw new Error(`session ${session.id} is not reconciled`);
  }
  const reconciledAt = session.reconciled_at;
  const byItem = new Map<string, PackageInput['lines'][number][]>();
  for (const line of lines) {
    if (line.status === 'REJECTED' || line.status === 'CANDIDATE') continue;
    const list = byItem.get(line.item_code) ?? [];
    list.push(line);
    byItem.set(line.item_code, list);
  }

  const itemBins = binsByItem(lines, input.bins ?? []);
  const rows: AdjustmentRow[] = [];
  let totalVariance = 0;
  let totalCost = 0;
  let totalPrice = 0;
  for (const v of variances) {
    const decided = input.moved?.get(v.item_code);
    const applied = decided && !('refused' in decided) ? decided : null;
    const at = input.atCount?.get(v.item_code);
    // A moved item with no decision and an exact variance at count posts it against today's book.
    const auto = !decided && at?.figures ? at.figures : null;
    const posting = applied ?? auto;
    const basis: AdjustmentBasis = applied ? applied.mode : auto ? 'at_count' : 'snapshot';
    const atCountStatus = at ? at.status : (input.notMoved ?? 'unknown');
    const varianceAtCount = at
      ? at.variance_at_count_milli === null
        ? null
        : roundQty(at.variance_at_count_milli / 1000)
      : atCountStatus === 'not_moved'
        ? roundQty(v.variance)
        : null;
    // A moved item posts target − live book, valued at the snapshot's cost and price.
    const variance = posting ? posting.delta_milli / 1000 : v.variance;
    const unitCost = input.unitCosts.get(v.item_code) ?? 0;
    const valueAtCost = posting ? variance * unitCost : v.value_at_cost;
    const valueAtPrice = posting
      ? variance * (input.unitPrices?.get(v.item_code) ?? 0)
      : v.value_at_price;
    totalVariance += variance;
    totalCost += valueAtCost;
    totalPrice += valueAtPrice;
    if (roundQty(variance) === 0) continue;
    const itemLines = byItem.get(v.item_code) ?? [];
    const reasons = [
      ...new Set(
        itemLines.map((l) => l.variance_reason?.trim() ?? '').filter((reason) => reason !== ''),
      ),
    ];
    const approvals = itemLines.filter((l) => l.status === 'APPROVED' && l.reviewed_by);
    const reviewers = [
      ...new Set(approvals.map((l) => usernames.get(l.reviewed_by!) ?? l.reviewed_by!)),
    ];
    // Every line of the item approved one by one: those reviewers approved the adjustment.
    // Otherwise (some lines passed without review) the reconcile approved it.
    const explicit = approvals.length > 0 && approvals.length === itemLines.length;
    const approvedAt = explicit
      ? approvals.map((l) => l.reviewed_at ?? reconciledAt).sort()[approvals.length - 1]!
      : reconciledAt;
    rows.push({
      line_no: rows.length + 1,
      session_id: session.id,
      warehouse: session.warehouse,
      item_code: v.item_code,
      item_name: v.name,
      book_qty: roundQty(v.book_qty),
      counted_qty: roundQty(v.counted_qty),
      damaged_qty: roundQty(v.damaged_qty),
      non_returnable_damaged_qty: roundQty(v.non_returnable_damaged_qty),
      variance: roundQty(variance),
      unit_cost: unitCost,
      value_at_cost: roundMoney(valueAtCost),
      value_at_price: roundMoney(valueAtPrice),
      reason: reasons.length > 0 ? reasons.join('; ') : null,
      approver: explicit ? reviewers.join(', ') : reconciledBy,
      approved_at: approvedAt,
      basis,
      snapshot_variance: roundQty(v.variance),
      variance_at_count: varianceAtCount,
      at_count_status: atCountStatus,
      ...(auto
        ? {
            ...NO_DECISION,
            live_book_qty: roundQty(auto.live_book_milli / 1000),
            live_book_watermark: auto.live_book_watermark,
            target_qty: roundQty(auto.target_milli / 1000),
            moved_adjustment: roundQty(auto.delta_milli / 1000),
          }
        : !decided
          ? NO_DECISION
          : 'refused' in decided
            ? { ...NO_DECISION, moved_mode: decided.mode, moved_refused: decided.refused }
            : {
                moved_mode: decided.mode,
                live_book_qty: roundQty(decided.live_book_milli / 1000),
                live_book_watermark: decided.live_book_watermark,
                target_qty: roundQty(decided.target_milli / 1000),
                moved_adjustment: roundQty(decided.delta_milli / 1000),
                moved_refused: null,
              }),
      ...(input.bins ? { bins: itemBins.get(v.item_code) ?? [] } : {}),
    });
  }

  return {
    format: PACKAGE_FORMAT,
    session: {
      id: session.id,
      name: session.name,
      warehouse: session.warehouse,
      mode: session.mode,
      reconciled_at: reconciledAt,
      reconciled_by: reconciledBy,
    },
    rows,
    // Summed like the session metrics sum the variances endpoint, so both agree to the cent.
    // Without moved items, equal to the variances endpoint's sums.
    totals: {
      items: rows.length,
      variance: roundQty(totalVariance),
      value_at_cost: roundMoney(totalCost),
      value_at_price: roundMoney(totalPrice),
    },
    content_hash: contentHash(rows),
    generated_at: input.generatedAt,
  };
}
