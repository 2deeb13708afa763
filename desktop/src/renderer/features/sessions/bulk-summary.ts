import { rackMapSchema } from '@stockverify/shared';
import type { CountSession } from '@stockverify/shared';
import type { AnswerSchema } from '../../api/client';
import { countOf } from '../../ui/format';

export type BulkAction = 'close' | 'reconcile';

/** A rack someone still holds in a session, as the rack map shows it. */
export interface HeldRack {
  rack: string;
  username: string;
}

/** What a bulk close or reconcile will do, said before it is done (issue #14). */
export interface BulkSummary {
  action: BulkAction;
  title: string;
  /** Sessions the action applies to, by name, and their ids (only these are sent). */
  applies: string[];
  ids: string[];
  /** Sessions it will refuse, with why. */
  refused: Array<{ name: string; why: string }>;
  /** Counters still working: closing takes their racks from under them. */
  held: Array<{ name: string; racks: HeldRack[] }>;
  confirmLabel: string;
}

const FROM: Record<BulkAction, CountSession['status']> = { close: 'OPEN', reconcile: 'CLOSED' };

/** Summarises a bulk action over the selected sessions and the racks still held in each. */
export function bulkSummary(
  action: BulkAction,
  sessions: readonly Pick<CountSession, 'id' | 'name' | 'status'>[],
  heldBySession: ReadonlyMap<string, readonly HeldRack[]>,
  options: { one?: boolean } = {},
): BulkSummary {
  const applies = sessions.filter((s) => s.status === FROM[action]);
  const refused = sessions
    .filter((s) => s.status !== FROM[action])
    .map((s) => ({
      name: s.name,
      why:
        action === 'close'
          ? `already ${s.status.toLowerCase()}`
          : s.status === 'OPEN'
            ? 'still open: close it first'
            : 'already reconciled',
    }));
  const held = applies
    .map((s) => ({ name: s.name, racks: [...(heldBySession.get(s.id) ?? [])] }))
    .filter((h) => h.racks.length > 0);
  const verb = action === 'close' ? 'Close' : 'Reconcile';
  const what = options.one ? 'this session' : countOf(applies.length, 'session');
  return {
    action,
    title: `${verb} ${what}?`,
    applies: applies.map((s) => s.name),
    ids: applies.map((s) => s.id),
    refused,
    held: action === 'close' ? held : [],
    confirmLabel: options.one ? `${verb} session` : `${verb} ${what}`,
  };
}

/** Reads what the console's API client offers (kept narrow so this file stays testable). */
interface RackMapReader {
  read<T>(
    schema: AnswerSchema<T>,
    path: string,
    query?: Record<string, string | undefined>,
  ): Promise<T>;
}

/** Racks of a session that a counter still holds (claimed or paused), from the rack map. */
export async function heldRacks(
  client: RackMapReader,
  warehouse: string,
  sessionId: string,
): Promise<HeldRack[]> {
  const racks = await client.read(
    rackMapSchema,
    `/warehouses/${encodeURIComponent(warehouse)}/racks`,
    { session: sessionId },
  );
  return racks.items
    .filter((r) => r.claimant && (r.state === 'claimed' || r.state === 'paused'))
    .map((r) => ({ rack: r.code, username: r.claimant!.username }));
}
