/**
 * What the session benchmark's counters find (`npm run bench:session`, issue #13): the bins of
 * each rack as the session's snapshot books them, and the figure a counter arrives at in each.
 *
 * A bin is one item in one rack (docs/design.md §4 "A bin's book"). Its book is the snapshot's
 * quantity of the item in that rack where the snapshot keeps one (`snapshot_bins`), else the
 * item's whole book in each rack the demo master places it. The bench counts the countable items
 * (active, not serialized, not batch-tracked) in the racks that hold them (book > 0).
 *
 * Most bins are counted right: the counter's lines add up to the bin's book. A share of them
 * (`doubtful`, deterministic and evenly spread) is off by the least the built-in default rule
 * does not allow (more than 50 % or 100 units), so each of those is outside tolerance, settles its
 * bin and opens a recount task. With a share of 1 every bin is such a count: the worst case.
 */
import Database from 'better-sqlite3';
import type { Item } from '@stockverify/shared';

export interface Bin {
  rack: string;
  item_code: string;
  /** The bin's book in the session's snapshot. */
  book: number;
  decimal: boolean;
  /** Counted off the book, outside tolerance. */
  doubtful: boolean;
}

/** One count line of a bin: the item and the quantity found. */
export interface PlannedLine {
  item_code: string;
  qty: number;
}

const GOLDEN = 0.618_033_988_749_895;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The bins of each of `racks` from the session's snapshot, read from the API's database file
 * (read-only): `items` is the demo master the server mirrored (countable items only are counted).
 * Racks the snapshot books no countable item in get bins of items it books elsewhere, with a book
 * of 0 there, counted as 0 ("none here"), so every rack can be counted.
 */
export function readBins(
  dbFile: string,
  sessionId: string,
  items: readonly Item[],
  racks: readonly string[],
  warehouse: string,
  doubtfulShare: number,
): Map<string, Bin[]> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const master = new Map(items.map((i) => [i.item_code, i]));
    const countable = (code: string) => {
      const i = master.get(code);
      return i !== undefined && i.active && !i.serialized && !i.batch_tracked;
    };
    const books = db
      .prepare('SELECT item_code, book_qty FROM session_snapshot WHERE session_id = ?')
      .all(sessionId) as Array<{ item_code: string; book_qty: number }>;
    const binRows = db
      .prepare('SELECT item_code, rack, qty FROM snapshot_bins WHERE session_id = ?')
      .all(sessionId) as Array<{ item_code: string; rack: string; qty: number }>;
    const inScope = new Set(racks);
    const byRack = new Map<string, Omit<Bin, 'doubtful'>[]>(racks.map((r) => [r, []]));
    const racked = new Set(binRows.map((b) => b.item_code));
    const booked = new Set(binRows.map((b) => `${b.item_code}\u0000${b.rack}`));
    for (const b of binRows)
      if (b.qty > 0 && countable(b.item_code))
        byRack.get(b.rack)?.push({
          rack: b.rack,
          item_code: b.item_code,
          book: b.qty,
          decimal: master.get(b.item_code)!.decimal_qty,
        });
    // Items the snapshot keeps no racks for: the whole book in each rack the master places them.
    for (const { item_code, book_qty } of books) {
      if (racked.has(item_code) || !countable(item_code) || book_qty <= 0) continue;
      const item = master.get(item_code)!;
      for (const s of item.stock)
        if (s.warehouse === warehouse && s.rack && inScope.has(s.rack))
          byRack.get(s.rack)!.push({
            rack: s.rack,
            item_code,
            book: book_qty,
            decimal: item.decimal_qty,
          });
    }
    const spare = books.map((b) => b.item_code).filter(countable);
    const out = new Map<string, Bin[]>();
    let j = 0;
    for (const rack of racks) {
      let bins = byRack.get(rack)!.sort((a, b) => (a.item_code < b.item_code ? -1 : 1));
      if (bins.length === 0)
        bins = spare
          .filter((code) => !booked.has(`${code}\u0000${rack}`))
          .slice(0, 20)
          .map((code) => ({ rack, item_code: code, book: 0, decimal: false }));
      out.set(
        rack,
        bins.map((bin) => ({
          ...bin,
          // An even spread of exactly the share (golden-ratio sequence), the same every run.
          doubtful: bin.book > 0 && ((j++ + 1) * GOLDEN) % 1 < doubtfulShare,
        })),
      );
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * What the counter finds in the bin: its book, or for a doubtful bin the book off by the least
 * the built-in default rule does not allow (more than 50 % of the book or 100 units), short on
 * every other bin where stock allows it.
 */
export function figureOf(bin: Bin, salt: number): number {
  if (!bin.doubtful) return bin.book;
  const off = Math.min(
    101,
    bin.decimal ? round3(bin.book / 2 + 0.001) : Math.floor(bin.book / 2) + 1,
  );
  const short = salt % 2 === 0 && bin.book - off >= 0;
  return bin.decimal ? round3(bin.book + (short ? -off : off)) : bin.book + (short ? -off : off);
}

/** `qty` split into `k` lines that add up to it (in thousandths for decimal items). */
export function split(qty: number, k: number, decimal: boolean): number[] {
  const unit = decimal ? 1000 : 1;
  const total = Math.round(qty * unit);
  const base = Math.floor(total / k);
  return Array.from({ length: k }, (_, i) => (base + (i < total - base * k ? 1 : 0)) / unit);
}

/**
 * A rack's `lines` count lines, bin by bin: each bin gets its share of the lines (as even as the
 * numbers allow), which add up to what the counter finds there — a counter finding an item in
 * several places of a rack sends several lines, and lines of one counter in one bin add up
 * (docs/design.md §12). Returns the lines and, for each, whether a bin's lines end with it (a
 * sync batch takes whole bins, so a bin is settled on all of its lines at once).
 */
export function rackPlan(
  bins: readonly Bin[],
  lines: number,
): { line: PlannedLine; last: boolean }[] {
  const out: { line: PlannedLine; last: boolean }[] = [];
  const n = Math.min(bins.length, lines);
  if (n === 0) return out;
  bins.slice(0, n).forEach((bin, b) => {
    const k = Math.floor(lines / n) + (b < lines % n ? 1 : 0);
    split(figureOf(bin, b), k, bin.decimal).forEach((qty, i) =>
      out.push({ line: { item_code: bin.item_code, qty }, last: i === k - 1 }),
    );
  });
  return out;
}
