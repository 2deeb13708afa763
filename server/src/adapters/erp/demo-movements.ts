/**
 * The demo's live warehouse (issue #17): picks and receipts posted at a steady rate over the demo
 * items' racks, so the embedded default shows movements arriving during a session. The ledger
 * only moves while someone reads it — the movement schedule does, while a session is open — and
 * never catches up on more than `maxCatchUpMs` of idle time.
 *
 * Deterministic: entry k (watermark "k") depends only on the seed and the entries before it, so a
 * restarted demo asked for movements after entry N replays entries 1…N into its book first and
 * carries on from N + 1 — the store, which kept them, sees one unbroken ledger. Each movement
 * moves the demo's own book quantity of that item and rack, and the item's `updated_at`.
 */
import { roundQty, type ErpMovement, type Item } from '@stockverify/shared';
import { mulberry32 } from '../../lib/mulberry32';
import type { FetchMovementsOptions, MovementPage } from '../../ports/erp';

export interface DemoLedgerOptions {
  /** Movements per minute while the ledger is read (0 = none). */
  perMinute: number;
  seed: number;
  now: () => Date;
  /** At most this much idle time is simulated at once (default 2 minutes). */
  maxCatchUpMs?: number;
  /** The ledger stands still after this many entries (absent or 0: it never stops). */
  total?: number;
}

/** The items the ledger moves: read and replaced by index (the demo source's array). */
export interface DemoBook {
  count(): number;
  get(index: number): Item;
  set(index: number, item: Item): void;
}

/**
 * The demo's highest rate: 1,000 a second, enough for `bench:session` to post issue #17's 100,000
 * movements while one 250,000-line session is counted (about 4 minutes).
 */
export const MAX_DEMO_MOVEMENTS_PER_MINUTE = 60_000;
const DEFAULT_CATCH_UP_MS = 2 * 60_000;

const RECEIPT_PACKS = [1, 2, 6, 12, 24] as const;

export class DemoLedger {
  private readonly rand: () => number;
  private readonly entries: ErpMovement[] = [];
  /** Entries before this one were replayed into the book only (a restart), not kept. */
  private firstKept = 1;
  private lastAdvance: number | null = null;
  private carry = 0;

  constructor(
    private readonly book: DemoBook,
    private readonly options: DemoLedgerOptions,
  ) {
    const { perMinute, total } = options;
    if (!Number.isFinite(perMinute) || perMinute < 0 || perMinute > MAX_DEMO_MOVEMENTS_PER_MINUTE)
      throw new RangeError(
        `movements per minute must be from 0 to ${MAX_DEMO_MOVEMENTS_PER_MINUTE}`,
      );
    if (total !== undefined && (!Number.isInteger(total) || total < 0))
      throw new RangeError('the total of movements must be a whole number ≥ 0');
    this.rand = mulberry32(options.seed ^ 0x5bd1e995);
  }

  /** Number of the last entry posted (0 = none). */
  private get last(): number {
    return this.firstKept - 1 + this.entries.length;
  }

  /** Posts the movements due since the previous call (none on the first call: it starts the clock). */
  advance(): void {
    const now = this.options.now().getTime();
    if (this.lastAdvance === null || this.options.perMinute === 0) {
      this.lastAdvance = now;
      return;
    }
    const from = Math.max(
      this.lastAdvance,
      now - (this.options.maxCatchUpMs ?? DEFAULT_CATCH_UP_MS),
    );
    if (now <= from) return;
    const due = this.carry + ((now - from) / 60_000) * this.options.perMinute;
    const total = this.options.total ?? 0;
    const count =
      total > 0 ? Math.min(Math.floor(due), Math.max(0, total - this.last)) : Math.floor(due);
    this.carry = due - Math.floor(due);
    this.lastAdvance = now;
    // Spread evenly over the interval, strictly after its start and at most now.
    for (let j = 1; j <= count; j++) {
      const at = from + Math.max(1, Math.floor(((now - from) * j) / count));
      this.entries.push(this.post(this.last + 1, new Date(Math.min(at, now)).toISOString()));
    }
  }

  /** The movements after `since`, at most `limit`, of one warehouse if asked. */
  page(since: string | null, options: FetchMovementsOptions): MovementPage {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError('limit must be a whole number of at least 1');
    let after = 0;
    if (since !== null) {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(since))
        throw new Error(`demo movement watermark ${since} is not an entry number`);
      after = Number(since);
    }
    // A restarted demo: entries up to `since` were posted by an earlier run; replay their effect.
    if (after > this.last) this.replayTo(after);
    this.advance();
    const movements: ErpMovement[] = [];
    for (let i = Math.max(0, after - this.firstKept + 1); i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (options.warehouse !== undefined && entry.warehouse !== options.warehouse) continue;
      movements.push(entry);
      if (movements.length === options.limit) break;
    }
    return { movements, watermark: movements.at(-1)?.watermark ?? since };
  }

  current(): string | null {
    return this.last === 0 ? null : String(this.last);
  }

  /** Every movement this run posted (tests). */
  all(): readonly ErpMovement[] {
    return this.entries;
  }

  private replayTo(entry: number): void {
    const at = this.options.now().toISOString();
    for (let k = this.last + 1; k <= entry; k++) this.post(k, at);
    this.entries.length = 0;
    this.firstKept = entry + 1;
  }

  /** Entry k: picks an item and one of its racks, moves its book, returns the movement. */
  private post(k: number, postedAt: string): ErpMovement {
    const rand = this.rand;
    const total = this.book.count();
    if (total === 0) throw new Error('the demo has no items to move');
    // Most movements hit a few fast movers (a Pareto-ish warehouse); the rest any item.
    const hot = Math.min(total, Math.max(20, Math.floor(total * 0.02)));
    const index = Math.floor(rand() * (rand() < 0.8 ? hot : total));
    const item = this.book.get(index);
    const rowIndex = Math.floor(rand() * item.stock.length);
    const row = item.stock[rowIndex]!;
    const wantsPick = rand() < 0.65;
    const size = rand();
    let quantity: number;
    if (wantsPick && row.qty >= (item.decimal_qty ? 0.001 : 1)) {
      const most = Math.min(row.qty, item.decimal_qty ? 25 : item.serialized ? 1 : 10);
      quantity = -(item.decimal_qty
        ? Math.max(0.001, roundQty(most * size))
        : 1 + Math.floor(size * Math.floor(most)));
    } else if (item.serialized) {
      quantity = 1 + Math.floor(size * 3);
    } else if (item.decimal_qty) {
      quantity = roundQty(5 + size * 50);
    } else {
      quantity = RECEIPT_PACKS[Math.floor(size * RECEIPT_PACKS.length)]!;
    }
    const stock = item.stock.map((s, i) =>
      i === rowIndex ? { ...s, qty: roundQty(s.qty + quantity) } : s,
    );
    this.book.set(index, { ...item, stock, updated_at: postedAt });
    const pick = quantity < 0;
    return {
      item_code: item.item_code,
      warehouse: row.warehouse,
      rack: row.rack,
      quantity,
      posted_at: postedAt,
      doc_type: pick ? 'SHIPMENT' : 'RECEIPT',
      doc_no: `${pick ? 'SO' : 'PO'}-${String(k).padStart(7, '0')}`,
      watermark: String(k),
    };
  }
}
