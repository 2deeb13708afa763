import { z } from 'zod';
import { accuracyPercent, type ActiveUser, type Kpis } from '@stockverify/shared';
import type { Actor } from '../../lib/request-context';
import type { SessionRecord } from '../../ports/counting';
import type { Coordination } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';

/** What the heartbeat writes into presence (claims.service); anything else is skipped. */
const presenceSchema = z.object({
  username: z.string(),
  device_id: z.string().nullable().optional(),
  racks: z.array(z.string()).default([]),
  last_seen: z.string(),
});

const PAGE = 500;

/** Start of the UTC day containing `now`, as an ISO instant. */
export function utcMidnight(now: Date): string {
  return new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
  ).toISOString();
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;

/** Today's figures and who is counting now, as a supervisor may see them. */
export function createMonitoringService(deps: {
  store: Store;
  coordination: Coordination;
  clock: () => Date;
  /** A supervisor bound to a warehouse sees that warehouse's figures only (issue #12). */
  access: Pick<AccessPolicy, 'boundTo'>;
}) {
  const { store, coordination, clock, access } = deps;

  const sessionsOf = async (
    status: 'OPEN' | undefined,
    warehouse: string | null,
  ): Promise<SessionRecord[]> => {
    const sessions: SessionRecord[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await store.sessions.list({
        page,
        page_size: PAGE,
        sort: '-created_at',
        ...(status ? { status } : {}),
        ...(warehouse ? { warehouse } : {}),
      });
      sessions.push(...items);
      if (items.length < PAGE || sessions.length >= total) return sessions;
    }
  };

  return {
    /** Today's KPIs (since UTC midnight) for `viewer`. */
    async kpis(viewer: Actor): Promise<Kpis> {
      const since = utcMidnight(clock());
      const warehouse = await access.boundTo(viewer);
      // A supervisor bound to a warehouse: the figures of its sessions only.
      const scope = warehouse
        ? (await sessionsOf(undefined, warehouse)).map((s) => s.id)
        : undefined;
      const [today, sessions, openConflicts, activeClaims] = await Promise.all([
        // Today's figures from the read model's per-day rows (issue #13), not from today's lines.
        store.readModel.linesSinceDay(since, scope),
        store.sessions.list({
          page: 1,
          page_size: 1,
          status: 'OPEN',
          sort: '-created_at',
          ...(warehouse ? { warehouse } : {}),
        }),
        store.monitoring.openConflicts(scope),
        store.monitoring.countOpenClaims(scope),
      ]);
      return {
        since,
        counted_today: today.lines,
        active_counters: today.counters,
        accuracy_today: accuracyPercent(today.abs_book, today.abs_variance),
        variance_value_today: today.variance_value_at_cost,
        open_sessions: sessions.total,
        open_conflicts: openConflicts,
        active_claims: activeClaims,
      } satisfies Kpis;
    },

    /** Who is counting in the open sessions `viewer` may see, most recently seen first. */
    async activeUsers(viewer: Actor): Promise<ActiveUser[]> {
      const sessions = await sessionsOf('OPEN', await access.boundTo(viewer));
      const perSession = await Promise.all(
        sessions.map(async (session) => {
          const entries = await coordination.listPresence(`session:${session.id}`);
          return entries.flatMap((entry): ActiveUser[] => {
            const data = presenceSchema.safeParse(entry.data);
            if (!data.success) return [];
            return [
              {
                user_id: entry.member,
                username: data.data.username,
                session_id: session.id,
                session_name: session.name,
                warehouse: session.warehouse,
                racks: data.data.racks,
                device_id: data.data.device_id ?? null,
                last_seen: data.data.last_seen,
              } satisfies ActiveUser,
            ];
          });
        }),
      );
      return perSession.flat().sort((a, b) => b.last_seen.localeCompare(a.last_seen));
    },
  };
}
