/**
 * The count_quality report's rows (issue #16 item 5, docs/design.md §12 "Count quality"): the
 * chosen sessions' bin rows (`BinRepo.all`, the read model per bin) measured by count-quality.ts.
 * Never reads count lines. Filters mean what they mean in every report (shared/src/reports.ts):
 * warehouse, session and from/to choose sessions; floor and category choose bins (a bin is one
 * item in one rack); user keeps the bins that counter counted first.
 */
import type { CountQualityRow } from '@stockverify/shared';
import type { SessionRecord } from '../../ports/counting';
import type { ReportScope } from '../../ports/reports';
import type { Store } from '../../ports/store';
import { countQualityRows, type QualityBin, type ZoneOf } from './count-quality';

const SESSION_PAGE = 500;

export type CountQualitySource = ReturnType<typeof createCountQualitySource>;

export function createCountQualitySource(store: Store) {
  /** The sessions the scope chooses, oldest first. */
  async function sessionsOf(scope: ReportScope): Promise<SessionRecord[]> {
    const fits = (s: SessionRecord) =>
      (scope.warehouse === undefined || s.warehouse === scope.warehouse) &&
      (scope.from === undefined || s.created_at >= scope.from) &&
      (scope.to === undefined || s.created_at < scope.to) &&
      (scope.session_ids === undefined || scope.session_ids.includes(s.id));
    if (scope.session !== undefined) {
      const one = await store.sessions.get(scope.session);
      return one && fits(one) ? [one] : [];
    }
    const out: SessionRecord[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await store.sessions.list({
        page,
        page_size: SESSION_PAGE,
        sort: 'created_at',
        ...(scope.warehouse !== undefined && { warehouse: scope.warehouse }),
        ...(scope.from !== undefined && { from: scope.from }),
        ...(scope.to !== undefined && { to: scope.to }),
      });
      out.push(...items.filter(fits));
      if (items.length < SESSION_PAGE || page * SESSION_PAGE >= total) return out;
    }
  }

  /** Each warehouse rack's floor (the zone), from the layout. */
  async function zones(): Promise<ZoneOf> {
    const floors = new Map<string, { code: string; name: string }>();
    for (const w of await store.locations.listWarehouses()) {
      const names = new Map(w.floors.map((f) => [f.code, f.name]));
      for (const r of w.racks) {
        floors.set(`${w.id}\u001f${r.code}`, {
          code: r.floor,
          name: names.get(r.floor) ?? r.floor,
        });
      }
    }
    return (warehouse, rack) => floors.get(`${warehouse}\u001f${rack}`) ?? null;
  }

  /** The item codes of the session whose category is `category` (snapshot, else item master). */
  async function itemsInCategory(
    sessionId: string,
    codes: readonly string[],
    category: string,
  ): Promise<Set<string>> {
    const snapshot = new Map(
      (await store.sessions.snapshotRows(sessionId)).map((r) => [r.item_code, r.category]),
    );
    const outside = [...new Set(codes.filter((c) => !snapshot.has(c)))];
    const master = outside.length > 0 ? await store.items.getMany(outside) : [];
    const categoryOf = new Map<string, string | null>([
      ...master.map((i) => [i.item_code, i.category ?? null] as const),
      ...snapshot,
    ]);
    return new Set(codes.filter((c) => categoryOf.get(c) === category));
  }

  async function binsOf(session: SessionRecord, scope: ReportScope): Promise<QualityBin[]> {
    let bins = await store.bins.all(session.id);
    if (scope.racks !== undefined) {
      const racks = new Set(
        scope.racks.filter((r) => r.warehouse === session.warehouse).map((r) => r.rack),
      );
      bins = bins.filter((b) => racks.has(b.rack));
    }
    if (scope.category !== undefined) {
      const keep = await itemsInCategory(
        session.id,
        bins.map((b) => b.item_code),
        scope.category,
      );
      bins = bins.filter((b) => keep.has(b.item_code));
    }
    return bins;
  }

  async function usernames(ids: ReadonlySet<string>): Promise<Map<string, string>> {
    const users = await Promise.all([...ids].map((id) => store.users.get(id)));
    return new Map(users.flatMap((u) => (u ? [[u.id, u.username] as const] : [])));
  }

  async function compute(scope: ReportScope): Promise<CountQualityRow[]> {
    const [sessions, zoneOf] = await Promise.all([sessionsOf(scope), zones()]);
    const measured: { session: SessionRecord; bins: QualityBin[] }[] = [];
    const people = new Set<string>();
    for (const session of sessions) {
      const bins = await binsOf(session, scope);
      for (const b of bins) for (const c of b.counters) people.add(c);
      measured.push({ session, bins });
    }
    const names = await usernames(people);
    return countQualityRows(measured, {
      ...(scope.user !== undefined && { user: scope.user }),
      username: (id) => names.get(id) ?? id,
      zoneOf,
    });
  }

  // generate() asks for a page and the totals at once: one computation answers both.
  const running = new Map<string, Promise<CountQualityRow[]>>();
  function rows(scope: ReportScope): Promise<CountQualityRow[]> {
    const key = JSON.stringify(scope);
    let pending = running.get(key);
    if (!pending) {
      pending = compute(scope).finally(() => running.delete(key));
      running.set(key, pending);
    }
    return pending;
  }

  return {
    rows,
    async page(scope: ReportScope, offset: number, limit: number) {
      return (await rows(scope)).slice(offset, offset + limit);
    },
    async totals(scope: ReportScope) {
      return { rows: (await rows(scope)).length };
    },
    async *stream(scope: ReportScope, chunkSize: number, signal?: AbortSignal) {
      const all = await rows(scope);
      for (let i = 0; i < all.length; i += chunkSize) {
        if (signal?.aborted) return;
        yield all.slice(i, i + chunkSize);
      }
    },
  };
}
