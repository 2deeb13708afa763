import type { LiveEvent } from '@stockverify/shared';
import type { Logger } from 'pino';
import type { Coordination } from '../../ports/coordination';

export const EVENTS_CHANNEL = 'events';

/**
 * Announces `{ id }` after any change to a user (role, status, secrets, lockout) to every API
 * process, so open live streams re-check their user at once (events.routes.ts).
 */
export const USER_CHANGES_CHANNEL = 'users.changed';

/** Publishes a user change notice; a failure only delays it to the next periodic re-check. */
export function announceUserChange(coordination: Coordination, log: Logger, id: string): void {
  coordination
    .publish(USER_CHANGES_CHANNEL, { id })
    .catch((err: unknown) => log.warn({ err, user: id }, 'user change not announced'));
}

export type EventBus = ReturnType<typeof createEventBus>;

/**
 * Publishes live events through Coordination pub/sub, so a supervisor connected to any API
 * process sees events produced on any other. Publishing never fails the request that caused it.
 */
export function createEventBus(coordination: Coordination, log: Logger, clock: () => Date) {
  return {
    publish(event: Omit<LiveEvent, 'at'>): void {
      coordination
        .publish(EVENTS_CHANNEL, { ...event, at: clock().toISOString() })
        .catch((err: unknown) => log.warn({ err, type: event.type }, 'live event not published'));
    },
  };
}
