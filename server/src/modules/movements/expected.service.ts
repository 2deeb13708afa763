/**
 * Expected at count for one item of a session (issue #17, docs/design.md §13), computed on read
 * with the pure domain of `@stockverify/shared` (movements/): the item's lines that count, each
 * mapped to server time by its device's clock (the samples of its sync requests), the movements
 * of the item in the session's warehouse after the session's ERP watermark, and the hints whose
 * inputs are at hand (movements near the count, the item's pack sizes, a unit-of-measure factor).
 * Bounded: at most MAX_LINES lines and MAX_MOVEMENTS movements are read; reaching either, the answer
 * says unknown (`too_many`) rather than compute from a part.
 */
import {
  countInterval,
  estimateClocks,
  expectedAtCount,
  prepareMovements,
  type CountInterval,
  type ExpectedLine,
  type ItemExpectedAnswer,
  type ExpectedOptions,
} from '@stockverify/shared';
import type { Actor } from '../../lib/request-context';
import { AppError } from '../../lib/errors';
import type { SessionRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import { MOVEMENT_PULL_KEY, type MovementPullDoc } from '../erp/movement-pull';
import { binBooksAtCount } from './bin-books-at-count';
import { hintsWithFacts, readHintFacts } from './hint-facts';

export const MAX_LINES = 10_000;
export const MAX_MOVEMENTS = 10_000;
/** Factors a unit-of-measure hint tries (design §13): dozens, and grams for kilograms. */
const UOM_FACTORS = [12, 1 / 12, 1000, 1 / 1000];

const milli = (q: number): number => Math.round(q * 1000);

export interface ExpectedService {
  forItem(actor: Actor, sessionId: string, itemCode: string): Promise<ItemExpectedAnswer>;
}

/** Server time up to which the movement feed is complete: the start of the last pull that read to the end. */
export async function readCompleteUntil(store: Store): Promise<string | null> {
  const doc = await store.meta.get<MovementPullDoc>(MOVEMENT_PULL_KEY);
  if (!doc?.last_result || doc.last_result.more || doc.last_error !== null) return null;
  return doc.last_started_at;
}

export function createExpectedService(deps: {
  store: Store;
  access: AccessPolicy;
}): ExpectedService {
  const { store, access } = deps;

  return {
    async forItem(actor, sessionId, itemCode) {
      const session = await store.sessions.get(sessionId);
      if (!session) throw new AppError(404, 'NOT_FOUND', 'Session not found');
      await access.assertWarehouse(actor, session.warehouse, 'params.id');
      const code = itemCode.trim();
      const answer = await computeItemExpected(store, session, code, () =>
        readCompleteUntil(store),
      );
      if (!answer) {
        throw new AppError(404, 'NOT_FOUND', `Item ${code} is not in this session`, [
          {
            path: 'params.code',
            message: 'not in the snapshot, not counted, not in the item master',
          },
        ]);
      }
      return answer;
    },
  };
}

/**
 * The expected at count of one item of a session, as `GET /sessions/:id/items/:code/expected`
 * answers it and the read model keeps it (at-count-upkeep.ts: the one computation of both). Null
 * when the item is not in the session (not in the snapshot, not counted, not in the item master).
 * `completeUntil` is asked only when the answer needs it.
 */
export async function computeItemExpected(
  store: Store,
  session: ExpectedSession,
  code: string,
  completeUntil: () => Promise<string | null>,
): Promise<ItemExpectedAnswer | null> {
  return (await expectedParts(store, session, code, completeUntil, false)).answer;
}

type ExpectedSession = Pick<
  SessionRecord,
  'id' | 'warehouse' | 'erp_watermark' | 'erp_watermark_high'
>;

/**
 * The item's expected at count, and per rack it was counted in the bin's book at count
 * (bin-books-at-count.ts; null: judged on the snapshot's). `binBooks` is empty when the item has
 * no expected at count (no watermark, no counts, too many): every bin is judged on the snapshot.
 */
export async function computeItemExpectedWithBins(
  store: Store,
  session: ExpectedSession,
  code: string,
  completeUntil: () => Promise<string | null>,
): Promise<{ answer: ItemExpectedAnswer | null; binBooks: Map<string, number | null> }> {
  return expectedParts(store, session, code, completeUntil, true);
}

async function expectedParts(
  store: Store,
  session: ExpectedSession,
  code: string,
  completeUntil: () => Promise<string | null>,
  withBins: boolean,
): Promise<{ answer: ItemExpectedAnswer | null; binBooks: Map<string, number | null> }> {
  const none = new Map<string, number | null>();
  const sessionId = session.id;
  const [snapshot, lineRows, item] = await Promise.all([
    store.sessions.snapshotRow(sessionId, code),
    store.itemLines.ofItem(sessionId, code, MAX_LINES + 1),
    store.items.get(code),
  ]);
  if (!snapshot && lineRows.length === 0 && !item) return { answer: null, binBooks: none };
  const book = snapshot?.book_qty ?? 0;
  const truncatedLines = lineRows.length > MAX_LINES;
  const rows = lineRows.slice(0, MAX_LINES);
  const quantity = (l: (typeof rows)[number]) =>
    milli(l.counted_qty) - milli(l.non_returnable_damaged_qty);

  // A phone's clock from the requests of the user whose lines it carried (ports/clock-samples).
  const keyOf = (user: string, device: string) => JSON.stringify([user, device]);
  const keys = [
    ...new Map(
      rows.flatMap((l) =>
        l.device_id === null
          ? []
          : [
              [
                keyOf(l.counted_by, l.device_id),
                { user_id: l.counted_by, device_id: l.device_id },
              ] as const,
            ],
      ),
    ).values(),
  ];
  const samples = keys.length === 0 ? [] : await store.clockSamples.list(keys);
  const clocks = estimateClocks(
    samples.map((s) => ({
      device_id: keyOf(s.user_id, s.device_id),
      client_sent_at: s.client_sent_at,
      server_received_at: s.server_received_at,
      ...(s.client_received_at !== null
        ? { server_sent_at: s.server_sent_at, client_received_at: s.client_received_at }
        : {}),
    })),
  );
  const lines: ExpectedLine[] = rows.map((l) => {
    const at: CountInterval = countInterval(
      l.device_id === null ? null : (clocks.get(keyOf(l.counted_by, l.device_id)) ?? null),
      l,
    );
    return {
      line_id: l.id,
      rack: l.rack,
      device_id: l.device_id,
      counted_at: l.counted_at,
      received_at: l.received_at,
      quantity_milli: quantity(l),
      earliest: at.earliest,
      latest: at.latest,
      clock_status: at.status,
    };
  });
  const counted = lines.reduce((sum, l) => sum + l.quantity_milli, 0);
  // Per-rack books, serial sightings, earlier sessions (hint-facts.ts): bounded, indexed reads.
  const facts = rows.length === 0 ? null : await readHintFacts(store, session, code, rows);
  const base = {
    session_id: sessionId,
    item_code: code,
    warehouse: session.warehouse,
    erp_watermark: session.erp_watermark ?? null,
    book_milli: milli(book),
    counted_milli: counted,
    snapshot_variance_milli: counted - milli(book),
    lines,
  };
  const packSizes = (item?.barcodes ?? []).map((b) => b.pack_qty).filter((p) => p > 1);
  const unknown = (
    reason: NonNullable<ItemExpectedAnswer['unknown_reason']>,
    truncated: boolean,
  ): ItemExpectedAnswer => ({
    ...base,
    known: false,
    unknown_reason: reason,
    expected: null,
    hints:
      lines.length === 0
        ? []
        : hintsWithFacts(
            { line: hintLine(base, lines, book), packSizes, uomFactors: UOM_FACTORS },
            facts,
          ),
    truncated,
  });
  if (truncatedLines) return { answer: unknown('too_many', true), binBooks: none };
  if (lines.length === 0) return { answer: unknown('no_counts', false), binBooks: none };
  if (base.erp_watermark === null)
    return { answer: unknown('no_watermark', false), binBooks: none };

  const found = await store.movements.list({
    warehouse: session.warehouse,
    item_code: code,
    after: base.erp_watermark,
    limit: MAX_MOVEMENTS,
  });
  // A full page may have more behind it (the store reads at most 10,000 at once).
  if (found.length >= MAX_MOVEMENTS) return { answer: unknown('too_many', true), binBooks: none };
  const movements = prepareMovements(found);
  const options: ExpectedOptions = { completeUntil: await completeUntil() };
  const binBooks = withBins
    ? binBooksAtCount({
        item_code: code,
        warehouse: session.warehouse,
        book,
        racks: (await store.sessions.snapshotRacks(sessionId, [code])).get(code) ?? null,
        snapshot_watermark: base.erp_watermark,
        snapshot_watermark_high: session.erp_watermark_high ?? null,
        lines,
        movements,
        options,
      })
    : none;
  const expected = expectedAtCount(
    {
      item_code: code,
      warehouse: session.warehouse,
      rack: null,
      book,
      snapshot_watermark: base.erp_watermark,
      // Movements posted while the snapshot's stock was read: flagged, never added (§13).
      snapshot_watermark_high: session.erp_watermark_high ?? null,
      counts: lines.map((l) => ({
        line_id: l.line_id,
        rack: l.rack,
        quantity: l.quantity_milli / 1000,
        at: { earliest: l.earliest, latest: l.latest, status: l.clock_status },
      })),
    },
    movements,
    options,
  );
  // Hints explain what the movements do not: against the expected at count where exact.
  const hintBook = expected.expected_milli === null ? book : expected.expected_milli / 1000;
  const hints = hintsWithFacts(
    { line: hintLine(base, lines, hintBook), movements, packSizes, uomFactors: UOM_FACTORS },
    facts,
  );
  return {
    answer: { ...base, known: true, unknown_reason: null, expected, hints, truncated: false },
    binBooks,
  };
}

/** The item's count as one line for the hints: all its lines, over the span of their intervals. */
function hintLine(
  base: { item_code: string; warehouse: string; session_id: string; counted_milli: number },
  lines: readonly ExpectedLine[],
  book: number,
) {
  const open = lines.some((l) => l.earliest === null);
  const earliest = open ? null : lines.map((l) => l.earliest!).sort()[0]!;
  const latest = lines.map((l) => l.latest).sort()[lines.length - 1]!;
  return {
    item_code: base.item_code,
    warehouse: base.warehouse,
    session_id: base.session_id,
    rack: lines[lines.length - 1]!.rack,
    book,
    counted: base.counted_milli / 1000,
    at: { earliest, latest, status: open ? ('unestimated' as const) : ('ok' as const) },
  };
}
