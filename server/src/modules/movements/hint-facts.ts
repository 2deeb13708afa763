/**
 * The facts the root-cause hints need beyond an item's movements and pack sizes (issue #17,
 * docs/design.md §13 "Root-cause hints"), read for one item of a session, each read bounded and
 * indexed (ports/hint-facts.ts):
 * - per-rack books: the item's bins in this session, counted per rack (from the item's lines the
 *   caller read) against the snapshot's book per rack (§4 "A bin's book"), for mirror variances in
 *   adjacent racks. Only where the snapshot keeps the item's book per rack: without it a bin's
 *   book is the item's whole book and a bin's variance means nothing. A rack the ERP lists the item
 *   in but where it was not counted is a bin only once that rack has lines (counted, not found);
 * - serial sightings: the serials on the item's lines (at most HINT_SERIALS), and those its lines
 *   in the same racks carried in the earlier sessions below but not now (at most HINT_SERIALS),
 *   each with its latest HINT_SIGHTINGS_PER_SERIAL sightings of this item outside the lines
 *   holding it now;
 * - earlier sessions: the item's variance in the warehouse's closed sessions created before this
 *   one (the read model's rm_items; at most HINT_EARLIER_SESSIONS, looking at the latest
 *   HINT_EARLIER_SCAN sessions).
 * `hintsWithFacts` adds what they raise to the item's other hints: mirrors and serials per bin,
 * earlier sessions against the item's variance.
 */
import {
  HINT_KINDS,
  mirrorHints,
  rootCauseHints,
  serialHints,
  type BinVariance,
  type EarlierVariance,
  type HintInput,
  type RootCauseHint,
  type SerialSeenElsewhere,
} from '@stockverify/shared';
import type { CountLineRecord, SessionRecord } from '../../ports/counting';
import type { Store } from '../../ports/store';

export const HINT_SERIALS = 100;
export const HINT_SIGHTINGS_PER_SERIAL = 20;
export const HINT_EARLIER_SESSIONS = 10;
export const HINT_EARLIER_SCAN = 200;

export interface HintFacts {
  /** Variances per bin (counted in the rack − the rack's book); null without per-rack books. */
  bins: BinVariance[] | null;
  /** Per rack counted in: its serials and their sightings elsewhere. */
  serialRacks: { rack: string; serials: string[]; sightings: SerialSeenElsewhere[] }[];
  serialLimits: { serials: number; sightings_per_serial: number; truncated: boolean };
  earlier: EarlierVariance[];
  earlierLimits: { sessions: number; scanned_sessions: number };
}

const milli = (q: number): number => Math.round(q * 1000);

/** Reads the facts for one item of a session; `lines` are the item's lines that count. */
export async function readHintFacts(
  store: Pick<Store, 'sessions' | 'hintFacts'>,
  session: Pick<SessionRecord, 'id' | 'warehouse'> & Partial<Pick<SessionRecord, 'created_at'>>,
  itemCode: string,
  lines: readonly CountLineRecord[],
): Promise<HintFacts> {
  // Earlier means created before this session (read only when the caller did not pass it).
  const before = session.created_at ?? (await store.sessions.get(session.id))?.created_at;
  const [bins, earlier] = await Promise.all([
    readBins(store, session.id, itemCode, lines),
    before === undefined
      ? []
      : store.hintFacts.earlierVariances({
          warehouse: session.warehouse,
          itemCode,
          before,
          exceptSessionId: session.id,
          limit: HINT_EARLIER_SESSIONS,
          scan: HINT_EARLIER_SCAN,
        }),
  ]);
  const serials = await readSerials(
    store,
    itemCode,
    lines,
    earlier.map((e) => e.session_id),
  );
  return {
    bins,
    ...serials,
    earlier: earlier.map((e) => ({
      session_id: e.session_id,
      closed_at: e.closed_at,
      variance: e.variance_milli / 1000,
    })),
    earlierLimits: { sessions: HINT_EARLIER_SESSIONS, scanned_sessions: HINT_EARLIER_SCAN },
  };
}

async function readBins(
  store: Pick<Store, 'sessions' | 'hintFacts'>,
  sessionId: string,
  itemCode: string,
  lines: readonly CountLineRecord[],
): Promise<BinVariance[] | null> {
  const books = (await store.sessions.snapshotRacks(sessionId, [itemCode])).get(itemCode);
  if (books === undefined) return null;
  const counted = new Map<string, number>();
  for (const l of lines) {
    const q = milli(l.counted_qty) - milli(l.non_returnable_damaged_qty);
    counted.set(l.rack, (counted.get(l.rack) ?? 0) + q);
  }
  const book = new Map(books.map((b) => [b.rack, milli(b.qty)]));
  // A rack the ERP lists the item in but no line counted it: a bin (found nothing) only once the
  // rack has been counted; before that it is not a variance yet.
  const uncounted = books.map((b) => b.rack).filter((r) => !counted.has(r));
  const seen = await store.hintFacts.countedRacks(sessionId, uncounted);
  for (const r of seen) counted.set(r, 0);
  return [...counted]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rack, q]) => ({
      item_code: itemCode,
      rack,
      variance: (q - (book.get(rack) ?? 0)) / 1000,
    }));
}

async function readSerials(
  store: Pick<Store, 'hintFacts'>,
  itemCode: string,
  lines: readonly CountLineRecord[],
  earlierSessionIds: readonly string[],
): Promise<Pick<HintFacts, 'serialRacks' | 'serialLimits'>> {
  const byRack = new Map<string, Set<string>>();
  const holders = new Map<string, string[]>();
  for (const l of lines) {
    for (const serial of l.serials) {
      byRack.set(l.rack, (byRack.get(l.rack) ?? new Set()).add(serial));
      holders.set(serial, [...(holders.get(serial) ?? []), l.id]);
    }
  }
  const counted = [...holders.keys()].sort();
  const read = counted.slice(0, HINT_SERIALS);
  let truncated = counted.length > read.length;
  // Serials seen in the racks counted now in earlier sessions, not counted there again: they may
  // have moved (the missing_here_seen_elsewhere reading).
  const racks = [...new Set(lines.map((l) => l.rack))].sort();
  const before = await store.hintFacts.serialsInRacks({
    sessionIds: earlierSessionIds,
    itemCode,
    racks,
    limit: HINT_SERIALS,
  });
  if (before.length >= HINT_SERIALS) truncated = true;
  const missing = new Map<string, Set<string>>();
  for (const r of before) {
    if (byRack.get(r.rack)?.has(r.serial)) continue;
    missing.set(r.rack, (missing.get(r.rack) ?? new Set()).add(r.serial));
  }
  const moved = new Set([...missing.values()].flatMap((m) => [...m]));
  const toRead = [...new Set([...read, ...moved])].sort();
  // The lines holding a serial now are left out of its sightings (same rack, same session: no
  // lead), except for a serial missing from a rack: where it is counted now is the lead.
  const found = await Promise.all(
    toRead.map((serial) =>
      store.hintFacts.serialSightings(
        itemCode,
        serial,
        moved.has(serial) ? [] : (holders.get(serial) ?? []),
        HINT_SIGHTINGS_PER_SERIAL,
      ),
    ),
  );
  const sightings = new Map<string, SerialSeenElsewhere[]>();
  toRead.forEach((serial, i) => {
    const rows = found[i]!;
    if (rows.length >= HINT_SIGHTINGS_PER_SERIAL) truncated = true;
    sightings.set(
      serial,
      rows.map((s) => ({
        serial: s.serial,
        item_code: s.item_code,
        session_id: s.session_id,
        rack: s.rack,
        seen_at: s.counted_at,
        line_id: s.line_id,
      })),
    );
  });
  const looked = new Set(read);
  return {
    serialRacks: [...new Set([...byRack.keys(), ...missing.keys()])]
      .sort()
      .map((rack) => {
        const serials = [...(byRack.get(rack) ?? [])].filter((s) => looked.has(s)).sort();
        const all = [...new Set([...serials, ...(missing.get(rack) ?? [])])].sort();
        return { rack, serials, sightings: all.flatMap((s) => sightings.get(s) ?? []) };
      })
      .filter((r) => r.sightings.length > 0),
    serialLimits: {
      serials: HINT_SERIALS,
      sightings_per_serial: HINT_SIGHTINGS_PER_SERIAL,
      truncated,
    },
  };
}

/**
 * The item's hints (`rootCauseHints`) with the facts' own: earlier sessions against the item's
 * variance, a mirror per pair of adjacent bins with opposite variances (once per pair, from the
 * rack that sorts first), serials per rack counted in. In the order of HINT_KINDS.
 */
export function hintsWithFacts(input: HintInput, facts: HintFacts | null): RootCauseHint[] {
  if (facts === null) return rootCauseHints(input);
  const out = rootCauseHints({ ...input, earlierSessions: facts.earlier }).map((h) =>
    h.kind === 'earlier_sessions'
      ? { ...h, evidence: { ...h.evidence, limits: facts.earlierLimits } }
      : h,
  );
  const l = input.line;
  const bins = facts.bins ?? [];
  for (const bin of bins) {
    for (const h of mirrorHints(bin, bins, input.adjacent)) {
      if (h.evidence.rack < h.evidence.neighbour_rack) out.push(h);
    }
  }
  for (const r of facts.serialRacks) {
    const hints = serialHints(
      { item_code: l.item_code, session_id: l.session_id, rack: r.rack, serials: r.serials },
      r.sightings,
    );
    for (const h of hints)
      out.push({ ...h, evidence: { ...h.evidence, limits: facts.serialLimits } });
  }
  const rank = (h: RootCauseHint) => HINT_KINDS.indexOf(h.kind);
  // Stable: within a kind, the order each function gave.
  return out
    .map((h, i) => ({ h, i }))
    .sort((a, b) => rank(a.h) - rank(b.h) || a.i - b.i)
    .map((x) => x.h);
}
