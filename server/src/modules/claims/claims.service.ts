import { randomUUID } from 'node:crypto';
import type { ClaimAnswer, CountSession } from '@stockverify/shared';
import { roleAtLeast } from '@stockverify/shared';
import type { ClaimPatch, ClaimRecord } from '../../ports/counting';
import type { Coordination, LockState } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import { AppError, forbidden, notFound } from '../../lib/errors';
import type { AccessPolicy } from '../access/access-policy';
import type { Actor, AuditLog, RequestMeta } from '../audit/audit-log';
import type { EventBus } from '../events/event-bus';
import type { Metrics } from '../monitoring/metrics';

export interface ClaimTimings {
  /** Rack lock TTL (RACK_LOCK_TTL_SECONDS, 60 s). */
  lockTtlMs: number;
  /** How long a lapsed claim stays reserved to its claimant (RACK_GRACE_SECONDS, 15 min). */
  graceMs: number;
  /** Presence TTL (HEARTBEAT_STALE_SECONDS, 90 s). */
  presenceTtlMs: number;
}

export type ClaimsService = ReturnType<typeof createClaimsService>;

/** Coordination key of a rack's lock within a session. */
export function rackLockKey(sessionId: string, rack: string): string {
  return `rack:${sessionId}:${rack}`;
}

const OPEN: ReadonlyArray<ClaimRecord['status']> = ['active', 'paused'];

/**
 * The rack lock's owner while counters hold the rack split (docs/design.md §12 "Split bins"):
 * one owner for them all, so a split claim joins the lock (same token) and a whole claim, whose
 * owner is the user, is refused by the lock itself — the two kinds exclude each other atomically.
 */
export const SPLIT_LOCK_OWNER = '~split';

const lockOwner = (claim: Pick<ClaimRecord, 'split' | 'user_id'>) =>
  claim.split ? SPLIT_LOCK_OWNER : claim.user_id;

/**
 * Rack claims (design §4): locks in Coordination with TTL and fencing tokens, renewed by
 * heartbeats; a lapsed claim stays reserved to its claimant for a grace period unless a supervisor
 * force-releases it; a newer claim makes the old claim's queued lines LOCK_LOST.
 */
export function createClaimsService(
  store: Store,
  coordination: Coordination,
  audit: AuditLog,
  events: EventBus,
  clock: () => Date,
  timings: ClaimTimings,
  /** The warehouse boundaries (modules/access): claims only in the actor's warehouse. */
  access: AccessPolicy,
  metrics?: Metrics,
) {
  const lockOp = (operation: string, outcome: string) =>
    metrics?.lockOperations.inc({ operation, outcome });
  /** The session, if the actor may work in its warehouse (issue #12: users are bound to theirs). */
  async function sessionFor(actor: Actor, sessionId: string): Promise<CountSession> {
    const session = await store.sessions.get(sessionId);
    if (!session) throw notFound('NOT_FOUND', `No session ${sessionId}`);
    await access.assertWarehouse(actor, session.warehouse, 'params.id');
    return session;
  }

  async function openSession(actor: Actor, sessionId: string): Promise<CountSession> {
    const session = await sessionFor(actor, sessionId);
    if (session.status !== 'OPEN')
      throw new AppError(409, 'SESSION_CLOSED', `The session is ${session.status}`);
    return session;
  }

  /** Staff release only in an open session; nobody changes the claims of a reconciled one. */
  function assertReleasable(actor: Actor, session: CountSession): void {
    const staffOnly = !roleAtLeast(actor.role, 'supervisor');
    if (session.status === 'RECONCILED' || (staffOnly && session.status !== 'OPEN'))
      throw new AppError(409, 'SESSION_CLOSED', `The session is ${session.status}`);
  }

  function answer(claim: ClaimRecord, lock: LockState | null): ClaimAnswer {
    return {
      claim_id: claim.id,
      rack: claim.rack,
      fencing_token: claim.token,
      lock_expires_at: new Date(lock?.expires_at ?? clock().getTime()).toISOString(),
      status: claim.status,
      split: claim.split,
    };
  }

  /** A split claim asked while the rack is held whole (or the other way round): 409, `split`. */
  function kindRefused(
    rack: string,
    wantSplit: boolean,
    holder: ClaimRecord | null,
    reservedUntil: string | null = null,
  ): AppError {
    return new AppError(
      409,
      wantSplit ? 'RACK_HELD_WHOLE' : 'RACK_HELD_SPLIT',
      wantSplit
        ? `Rack ${rack} is held whole${holder ? ` by ${holder.username}` : ''}; it cannot be counted in parts until it is given back`
        : `Rack ${rack} is being counted in parts; join with split: true, or claim it whole once every part is given back`,
      [
        {
          path: 'split',
          message: wantSplit ? 'the rack is held whole' : 'the rack is held split',
        },
      ],
      holder
        ? {
            holder: {
              user_id: holder.user_id,
              username: holder.username,
              since: holder.claimed_at,
              last_seen: holder.last_heartbeat_at,
            },
            ...(reservedUntil ? { reserved_until: reservedUntil } : {}),
          }
        : undefined,
    );
  }

  /** The rack's open claims (every split part, or the one whole claim), newest first. */
  async function openOnRack(sessionId: string, rack: string): Promise<ClaimRecord[]> {
    return store.claims.listOpenOnRack(sessionId, rack);
  }

  function rackLocked(holder: ClaimRecord, reservedUntil: string | null): AppError {
    return new AppError(
      409,
      'RACK_LOCKED',
      `Rack ${holder.rack} is being counted by ${holder.username}`,
      undefined,
      {
        holder: {
          user_id: holder.user_id,
          username: holder.username,
          since: holder.claimed_at,
          last_seen: holder.last_heartbeat_at,
        },
        ...(reservedUntil ? { reserved_until: reservedUntil } : {}),
      },
    );
  }

  /**
   * The rack's newest claim, which must be open and (unless a supervisor acts) the caller's. On a
   * rack held split, the caller's own open part (a supervisor acting on another's: the newest).
   */
  async function ownOpenClaim(actor: Actor, sessionId: string, rack: string): Promise<ClaimRecord> {
    let claim = await store.claims.latest(sessionId, rack);
    if (claim?.split) {
      const parts = await openOnRack(sessionId, rack);
      claim = parts.find((c) => c.user_id === actor.id) ?? parts[0] ?? claim;
    }
    if (!claim || !OPEN.includes(claim.status)) {
      throw new AppError(409, 'RACK_NOT_CLAIMED', `Rack ${rack} has no open claim`);
    }
    if (claim.user_id !== actor.id && !roleAtLeast(actor.role, 'supervisor')) {
      throw forbidden(`Rack ${rack} is claimed by ${claim.username}`);
    }
    return claim;
  }

  async function publishClaim(action: string, claim: ClaimRecord, actor: Actor) {
    events.publish({
      type: 'claim',
      action,
      session_id: claim.session_id,
      rack: claim.rack,
      user_id: claim.user_id,
      username: claim.username,
      data: { claim_id: claim.id, token: claim.token, by: actor.username },
    });
  }

  /** Whether giving `claim` back frees the rack: a whole claim, or the last open split part. */
  async function lastHolder(claim: ClaimRecord): Promise<boolean> {
    if (!claim.split) return true;
    const parts = await openOnRack(claim.session_id, claim.rack);
    return parts.every((c) => c.id === claim.id);
  }

  /** Applies a status change to the caller's open claim of a rack; a completed rack frees its lock. */
  async function changeOpenClaim(
    actor: Actor,
    meta: RequestMeta,
    sessionId: string,
    rack: string,
    verb: 'pause' | 'resume' | 'complete',
    eventAction: string,
    patch: (now: string) => ClaimPatch,
  ): Promise<ClaimAnswer> {
    await openSession(actor, sessionId);
    const claim = await ownOpenClaim(actor, sessionId, rack);
    const change = patch(clock().toISOString());
    const updated = (await store.claims.update(claim.id, change)) ?? claim;
    const key = rackLockKey(sessionId, rack);
    if (change.status === 'completed' && (await lastHolder(claim))) {
      await coordination.forceReleaseLock(key);
      lockOp('release', 'completed');
    }
    await audit.record(actor, meta, `claim.${verb}`, { type: 'claim', id: claim.id }, { rack });
    await publishClaim(eventAction, updated, actor);
    return answer(updated, change.status === 'completed' ? null : await coordination.getLock(key));
  }

  /** Stores a new claim under the lock just taken (its token), audits and announces it. */
  async function insertClaim(
    actor: Actor,
    meta: RequestMeta,
    sessionId: string,
    rack: string,
    deviceId: string | null,
    split: boolean,
    lock: LockState,
  ): Promise<ClaimAnswer> {
    const now = clock().toISOString();
    const claim: ClaimRecord = {
      id: randomUUID(),
      session_id: sessionId,
      rack,
      user_id: actor.id,
      username: actor.username,
      device_id: deviceId,
      status: 'active',
      first_token: lock.token,
      token: lock.token,
      claimed_at: now,
      last_heartbeat_at: now,
      paused_at: null,
      completed_at: null,
      released_at: null,
      released_by: null,
      split,
    };
    await store.claims.insert(claim);
    await audit.record(
      actor,
      meta,
      'claim.create',
      { type: 'claim', id: claim.id },
      { session_id: sessionId, rack, token: claim.token, ...(split ? { split } : {}) },
    );
    await publishClaim('claimed', claim, actor);
    return answer(claim, lock);
  }

  /**
   * A whole claim of a rack held split: refused while the parts' lock lives, or while a part is
   * within its grace period after its last heartbeat; past that every part is lost (their queued
   * lines will come back LOCK_LOST) and the whole claim goes ahead (returns).
   */
  async function expireParts(
    actor: Actor,
    meta: RequestMeta,
    sessionId: string,
    rack: string,
    parts: readonly ClaimRecord[],
  ): Promise<void> {
    const lock = await coordination.getLock(rackLockKey(sessionId, rack));
    if (lock && lock.owner === SPLIT_LOCK_OWNER) throw kindRefused(rack, false, parts[0] ?? null);
    const now = clock().getTime();
    const lastSeen = Math.max(...parts.map((c) => Date.parse(c.last_heartbeat_at)));
    if (lastSeen + timings.graceMs > now) {
      const until = new Date(lastSeen + timings.graceMs).toISOString();
      throw kindRefused(rack, false, parts[0] ?? null, until);
    }
    for (const part of parts) {
      await store.claims.update(part.id, {
        status: 'lost',
        released_at: new Date(now).toISOString(),
        released_by: 'grace-expired',
      });
      await audit.record(
        actor,
        meta,
        'claim.lost',
        { type: 'claim', id: part.id },
        { rack, user: part.username },
      );
      await publishClaim('lost', part, actor);
    }
  }

  /**
   * A claim of a rack whose newest claim is an open split part (docs/design.md §12 "Split
   * claims"): a split one joins the rack lock (same owner, same token) — or re-takes the caller's
   * own part — so nobody's fencing token changes; a whole one is refused while the parts hold
   * the rack or their grace period runs (null: they lapsed and were lost; claim it whole).
   */
  async function claimHeldSplit(
    actor: Actor,
    meta: RequestMeta,
    sessionId: string,
    rack: string,
    deviceId: string | null,
    split: boolean,
  ): Promise<ClaimAnswer | null> {
    const parts = await openOnRack(sessionId, rack);
    if (!split) {
      await expireParts(actor, meta, sessionId, rack, parts);
      return null;
    }
    const lock = await coordination.acquireLock(
      rackLockKey(sessionId, rack),
      SPLIT_LOCK_OWNER,
      timings.lockTtlMs,
    );
    lockOp('acquire', lock.ok ? 'ok' : 'held');
    if (!lock.ok) throw kindRefused(rack, true, await store.claims.latest(sessionId, rack));
    // The lock lapsed and was taken anew (a new token): every open part moves to it at once, so
    // none of them is fenced out until its next heartbeat (their claims cover both tokens).
    for (const part of parts) {
      if (part.split && part.token < lock.token && part.user_id !== actor.id)
        await store.claims.update(part.id, { token: lock.token });
    }
    const own = parts.find((c) => c.user_id === actor.id);
    if (own) {
      const updated = await store.claims.update(own.id, {
        token: Math.max(own.token, lock.token),
        status: 'active',
        paused_at: null,
        last_heartbeat_at: clock().toISOString(),
        device_id: deviceId ?? own.device_id,
      });
      return answer(updated ?? own, lock);
    }
    return insertClaim(actor, meta, sessionId, rack, deviceId, true, lock);
  }

  return {
    /** Claims a rack, or re-takes the caller's own claim (a retried or lapsed claim keeps its lines). */
    async claim(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      rack: string,
      deviceId: string | null,
      split = false,
    ): Promise<ClaimAnswer> {
      const session = await openSession(actor, sessionId);
      if (!session.racks.includes(rack))
        throw notFound('NOT_FOUND', `Rack ${rack} is not in this session`);
      const key = rackLockKey(sessionId, rack);
      const now = clock();
      let latest = await store.claims.latest(sessionId, rack);
      // Parts held together share a token: the newest of them may be given back while others
      // still count, so look at every open part.
      if (latest?.split && (await openOnRack(sessionId, rack)).some((c) => c.split)) {
        const joined = await claimHeldSplit(actor, meta, sessionId, rack, deviceId, split);
        if (joined) return joined;
        latest = await store.claims.latest(sessionId, rack); // the parts are lost now
      }
      if (latest?.status === 'completed') {
        throw new AppError(
          409,
          'RACK_COMPLETED',
          `Rack ${rack} is complete; a supervisor can reopen it for recount`,
        );
      }
      // A split claim asked of a rack held whole is refused with its own code, grace included.
      const refuse = (holder: ClaimRecord, reservedUntil: string | null) =>
        split ? kindRefused(rack, true, holder) : rackLocked(holder, reservedUntil);
      if (latest && OPEN.includes(latest.status) && latest.user_id === actor.id && split) {
        throw kindRefused(rack, true, latest);
      }
      if (latest && OPEN.includes(latest.status) && latest.user_id !== actor.id) {
        const lock = await coordination.getLock(key);
        if (lock && lock.owner !== actor.id) throw refuse(latest, null);
        const reservedUntil = Date.parse(latest.last_heartbeat_at) + timings.graceMs;
        if (reservedUntil > now.getTime())
          throw refuse(latest, new Date(reservedUntil).toISOString());
        // Past the grace period: the old claim is lost; its queued lines will come back LOCK_LOST.
        await store.claims.update(latest.id, {
          status: 'lost',
          released_at: now.toISOString(),
          released_by: 'grace-expired',
        });
        await audit.record(
          actor,
          meta,
          'claim.lost',
          { type: 'claim', id: latest.id },
          { rack, user: latest.username },
        );
        await publishClaim('lost', latest, actor);
      }
      const owner = split ? SPLIT_LOCK_OWNER : actor.id;
      const lock = await coordination.acquireLock(key, owner, timings.lockTtlMs);
      lockOp('acquire', lock.ok ? 'ok' : 'held');
      if (!lock.ok) {
        const holder = (await store.claims.latest(sessionId, rack)) ?? latest;
        // Raced by the other kind of claim: its own code.
        if (lock.owner === SPLIT_LOCK_OWNER || split) throw kindRefused(rack, split, holder);
        if (holder) throw rackLocked(holder, null);
        throw new AppError(409, 'RACK_LOCKED', `Rack ${rack} is locked`);
      }
      if (latest && OPEN.includes(latest.status) && latest.user_id === actor.id && !split) {
        const updated = await store.claims.update(latest.id, {
          token: Math.max(latest.token, lock.token),
          status: 'active',
          paused_at: null,
          last_heartbeat_at: now.toISOString(),
          device_id: deviceId ?? latest.device_id,
        });
        return answer(updated ?? latest, lock);
      }
      return insertClaim(actor, meta, sessionId, rack, deviceId, split, lock);
    },

    /** Renews presence and every lock the caller holds in the session; reports claims it lost. */
    async heartbeat(actor: Actor, sessionId: string, deviceId: string | null) {
      await openSession(actor, sessionId);
      const now = clock();
      const claims = await store.claims.listOpenByUser(sessionId, actor.id);
      const held: ClaimAnswer[] = [];
      const lost: string[] = [];
      for (const claim of claims) {
        const key = rackLockKey(sessionId, claim.rack);
        let lock = await coordination.renewLock(key, lockOwner(claim), timings.lockTtlMs);
        lockOp('renew', lock ? 'ok' : 'lapsed');
        if (!lock) {
          const retaken = await coordination.acquireLock(key, lockOwner(claim), timings.lockTtlMs);
          lockOp('reacquire', retaken.ok ? 'ok' : 'lost');
          if (!retaken.ok) {
            lost.push(claim.rack);
            continue;
          }
          lock = retaken;
        }
        const updated = await store.claims.update(claim.id, {
          token: Math.max(claim.token, lock.token),
          last_heartbeat_at: now.toISOString(),
        });
        held.push(answer(updated ?? claim, lock));
      }
      await coordination.setPresence(
        `session:${sessionId}`,
        actor.id,
        {
          username: actor.username,
          device_id: deviceId,
          racks: held.map((c) => c.rack),
          last_seen: now.toISOString(),
        },
        timings.presenceTtlMs,
      );
      events.publish({
        type: 'heartbeat',
        action: 'beat',
        session_id: sessionId,
        user_id: actor.id,
        username: actor.username,
        data: { racks: held.map((c) => c.rack), lost },
      });
      return { claims: held, lost, server_time: now.toISOString() };
    },

    pause: (actor: Actor, meta: RequestMeta, sessionId: string, rack: string) =>
      changeOpenClaim(actor, meta, sessionId, rack, 'pause', 'paused', (now) => ({
        status: 'paused',
        paused_at: now,
      })),

    resume: (actor: Actor, meta: RequestMeta, sessionId: string, rack: string) =>
      changeOpenClaim(actor, meta, sessionId, rack, 'resume', 'resumed', (now) => ({
        status: 'active',
        paused_at: null,
        last_heartbeat_at: now,
      })),

    /** Marks the rack done and frees its lock. */
    complete: (actor: Actor, meta: RequestMeta, sessionId: string, rack: string) =>
      changeOpenClaim(actor, meta, sessionId, rack, 'complete', 'completed', (now) => ({
        status: 'completed',
        completed_at: now,
      })),

    /** Gives the rack back; a supervisor releasing someone else's claim forces it (their queued lines become LOCK_LOST). */
    async release(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      rack: string,
    ): Promise<ClaimAnswer> {
      const session = await sessionFor(actor, sessionId);
      assertReleasable(actor, session);
      const claim = await ownOpenClaim(actor, sessionId, rack);
      const forced = claim.user_id !== actor.id;
      const updated =
        (await store.claims.update(claim.id, {
          status: forced ? 'lost' : 'released',
          released_at: clock().toISOString(),
          released_by: actor.id,
        })) ?? claim;
      if (await lastHolder(claim))
        await coordination.forceReleaseLock(rackLockKey(sessionId, rack));
      await audit.record(
        actor,
        meta,
        forced ? 'claim.force_release' : 'claim.release',
        { type: 'claim', id: claim.id },
        { rack, holder: claim.username },
      );
      await publishClaim(forced ? 'force_released' : 'released', updated, actor);
      return answer(updated, null);
    },

    /**
     * Publishes a `heartbeat`/`stale` event for every open claim whose phone has not been heard
     * from for `staleMs`, once per silence: a Coordination marker keyed by the last heartbeat
     * keeps several API processes from announcing the same one. Returns how many it announced.
     */
    async announceStale(staleMs: number): Promise<number> {
      const now = clock().getTime();
      const open = await store.sessions.list({
        page: 1,
        page_size: 500,
        status: 'OPEN',
        sort: '-created_at',
      });
      let announced = 0;
      for (const session of open.items) {
        for (const claim of await store.claims.listBySession(session.id)) {
          if (claim.status !== 'active') continue;
          const silentFor = now - Date.parse(claim.last_heartbeat_at);
          if (silentFor < staleMs) continue;
          const first = await coordination.cacheSetIfAbsent(
            `stale:${claim.id}:${claim.last_heartbeat_at}`,
            true,
            timings.graceMs + staleMs,
          );
          if (!first) continue;
          announced++;
          events.publish({
            type: 'heartbeat',
            action: 'stale',
            session_id: session.id,
            rack: claim.rack,
            user_id: claim.user_id,
            username: claim.username,
            data: {
              claim_id: claim.id,
              last_heartbeat_at: claim.last_heartbeat_at,
              silent_seconds: Math.round(silentFor / 1000),
            },
          });
        }
      }
      return announced;
    },

    /** Supervisor: reopens a completed rack for recount; the next claim starts a new claim. */
    async reopen(
      actor: Actor,
      meta: RequestMeta,
      sessionId: string,
      rack: string,
    ): Promise<ClaimAnswer> {
      await openSession(actor, sessionId);
      const claim = await store.claims.latest(sessionId, rack);
      if (!claim || claim.status !== 'completed')
        throw new AppError(409, 'INVALID_TRANSITION', `Rack ${rack} is not completed`);
      const updated =
        (await store.claims.update(claim.id, {
          status: 'released',
          released_at: clock().toISOString(),
          released_by: actor.id,
        })) ?? claim;
      await audit.record(
        actor,
        meta,
        'claim.reopen_for_recount',
        { type: 'claim', id: claim.id },
        { rack },
      );
      await publishClaim('reopened', updated, actor);
      return answer(updated, null);
    },
  };
}
