import type { CountSession } from '@stockverify/shared';
import { countOf } from '../../ui/format';

export type BulkAction = 'close' | 'reconcile';

/** A rack someone still holds in a session, as the rack map shows it. */
export interface HeldRack {
  rack: string;
  username: string;
}

/** What a bulk close or reconcile will do, said before it is done (issue #14). */
export interface BulkSummary {
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
  return {
    title: `${verb} ${countOf(applies.length, 'session')}?`,
    applies: applies.map((s) => s.name),
    ids: applies.map((s) => s.id),
    refused,
    held: action === 'close' ? held : [],
    confirmLabel: `${verb} ${countOf(applies.length, 'session')}`,
  };
}
