/** `GET /admin/kpis` and `GET /admin/active-users`: today's figures and who is counting now. */
import { Router } from 'express';
import { z } from 'zod';
import { accuracyPercent } from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { sendOk } from '../../http/envelope';
import type { SessionRecord } from '../../ports/counting';
import type { Coordination } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';

export interface AdminRoutesDeps {
  store: Store;
  coordination: Coordination;
  guard: AuthGuard;
  clock: () => Date;
  /** A supervisor bound to a warehouse sees that warehouse's figures only (issue #12). */
  access: Pick<AccessPolicy, 'boundTo'>;
}

export interface Kpis {
  /** Start of the UTC day the figures cover. */
  since: string;
  counted_today: number;
  active_counters: number;
  /** 100 × (Σ|book| − Σ|variance|) / Σ|book| over today's lines; null when Σ|book| is 0. */
  accuracy_today: number | null;
  variance_value_today: number;
  open_sessions: number;
  open_conflicts: number;
  active_claims: number;
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

/** The supervisor's monitoring routes (permission monitoring.read). */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const { store, coordination, guard, clock, access } = deps;
  const router = Router();
  const supervisorOnly = [guard.requireAuth, guard.requirePermission('monitoring.read')];

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

  router.get('/admin/kpis', ...supervisorOnly, async (req, res) => {
    const since = utcMidnight(clock());
    const warehouse = await access.boundTo(actorOf(req));
    // A supervisor bound to a warehouse: the figures of its sessions only.
    const scope = warehouse ? (await sessionsOf(undefined, warehouse)).map((s) => s.id) : undefined;
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
    const kpis: Kpis = {
      since,
      counted_today: today.lines,
      active_counters: today.counters,
      accuracy_today: accuracyPercent(today.abs_book, today.abs_variance),
      variance_value_today: today.variance_value_at_cost,
      open_sessions: sessions.total,
      open_conflicts: openConflicts,
      active_claims: activeClaims,
    };
    sendOk(req, res, kpis);
  });

  router.get('/admin/active-users', ...supervisorOnly, async (req, res) => {
    const sessions = await sessionsOf('OPEN', await access.boundTo(actorOf(req)));
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
            },
          ];
        });
      }),
    );
    const users = perSession.flat().sort((a, b) => b.last_seen.localeCompare(a.last_seen));
    sendOk(req, res, { items: users, total: users.length });
  });

  return router;
}
