import type { Logger } from 'pino';
import type { Coordination } from '../../ports/coordination';

/** Kinds of live event a supervisor's watchtower receives (issue #3 "Live events"). */
export type LiveEventType =
  'session' | 'claim' | 'lock' | 'heartbeat' | 'scan' | 'conflict' | 'unknown_item' | 'review';

export interface LiveEvent {
  type: LiveEventType;
  /** What happened, e.g. 'claimed', 'released', 'lost', 'line'. */
  action: string;
  session_id: string | null;
  rack?: string | null;
  user_id?: string | null;
  username?: string | null;
  at: string;
  data?: Record<string, unknown>;
}

export const EVENTS_CHANNEL = 'events';

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
