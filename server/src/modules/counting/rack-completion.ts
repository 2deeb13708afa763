import type { RackCompleteRecord, RecordResult } from '@stockverify/shared';
import type { OpAnswers } from './op-answers';
import type { RecordChecks } from './record-checks';
import type { CountingDeps, RecordContext } from './record-context';

export type RackCompletion = ReturnType<typeof createRackCompletion>;

/**
 * A counter's "rack done" from the phone (design §4 rack claim → completed): fenced like a
 * count, it completes the claim and releases the rack's lock; only a supervisor's reopen opens
 * the rack again.
 */
export function createRackCompletion(
  deps: Pick<CountingDeps, 'store' | 'coordination' | 'audit' | 'events' | 'clock'>,
  parts: { answers: OpAnswers; checks: RecordChecks },
) {
  const { store, coordination, audit, events, clock } = deps;
  const { answers, checks } = parts;

  /** Completes the claim the token belongs to; once completed, "rack done" only answers OK. */
  async function completeRack(
    ctx: RecordContext,
    record: RackCompleteRecord,
  ): Promise<RecordResult> {
    const session = await checks.openSessionOf(ctx, record);
    if (!('racks' in session)) return session;
    const claim = await checks.fencedClaim(ctx, record, session, { fresh: true });
    if (!('first_token' in claim)) return claim;
    if (claim.status !== 'completed') {
      await store.claims.update(claim.id, {
        status: 'completed',
        completed_at: clock().toISOString(),
      });
      await coordination.forceReleaseLock(`rack:${session.id}:${record.rack}`);
      await audit.record(
        ctx.actor,
        ctx.meta,
        'claim.complete',
        { type: 'claim', id: claim.id },
        { rack: record.rack, via: 'sync' },
      );
      events.publish({
        type: 'claim',
        action: 'completed',
        session_id: session.id,
        rack: record.rack,
        user_id: ctx.actor.id,
        username: ctx.actor.username,
      });
    }
    return answers.remember(ctx, {
      op_id: record.op_id,
      status: 'OK',
      code: null,
      message: 'Rack completed',
      details: [],
      line_id: null,
    });
  }

  return { completeRack };
}
