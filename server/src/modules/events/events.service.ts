import { can, type LiveEvent, type Permission } from '@stockverify/shared';
import type { Actor } from '../../lib/request-context';
import type { Coordination } from '../../ports/coordination';
import type { Store } from '../../ports/store';
import type { AccessPolicy } from '../access/access-policy';
import { EVENTS_CHANNEL, USER_CHANGES_CHANNEL } from './event-bus';

export interface EventsServiceOptions {
  /** Who may still read the stream is checked against the store (absent: never re-checked). */
  users?: Pick<Store, 'users'>['users'];
  /** A supervisor bound to a warehouse sees only its sessions' events (issue #12). */
  access?: Pick<AccessPolicy, 'sessionFilter'>;
}

/** Where one viewer's live events go. */
export interface EventSink {
  event(event: LiveEvent): void;
  /** The viewer may no longer read events (disabled, deleted or demoted); called at most once. */
  revoked(): void;
}

export interface WatchOptions {
  /** What the user must still be allowed (default `events.read`). */
  permission?: Permission;
  /** Only these events reach the sink (checked first, synchronously). */
  accept?: (event: LiveEvent) => boolean;
}

/** One viewer's subscription: `recheck` checks the viewer again, `close` ends it. */
export interface EventWatch {
  recheck(): Promise<void>;
  close(): void;
}

export type EventsService = ReturnType<typeof createEventsService>;

/**
 * Live events for supervisors, from Coordination pub/sub (any API process's events). A viewer's
 * right to read them is checked again whenever a change to that user is announced
 * (USER_CHANGES_CHANNEL) and whenever the caller asks (`recheck`).
 */
export function createEventsService(
  coordination: Coordination,
  options: EventsServiceOptions = {},
) {
  return {
    /**
     * Subscribes `actor` to live events, of one session when `session` is given. The watch ends
     * when the user may no longer hold `permission` (default `events.read`, the supervisors').
     * `accept` drops events before anything else is asked of them (a counter's task notices want
     * a few of a session's events, not each of its scans run through the warehouse check).
     */
    async watch(
      actor: Actor,
      session: string | null,
      sink: EventSink,
      { permission = 'events.read', accept }: WatchOptions = {},
    ): Promise<EventWatch> {
      let stopped = false;
      const visible = (await options.access?.sessionFilter(actor)) ?? null;
      // Events of a bound viewer wait for their session's warehouse in order, one after another.
      let queue: Promise<void> = Promise.resolve();
      const unsubscribe = await coordination.subscribe(EVENTS_CHANNEL, (message) => {
        const event = message as LiveEvent;
        if (stopped || (session && event.session_id !== session)) return;
        if (accept && !accept(event)) return;
        if (!visible) return sink.event(event);
        queue = queue
          .then(async () => {
            if (await visible(event.session_id)) sink.event(event);
          })
          .catch(() => undefined);
      });

      /** Ends the watch unless its user still exists, is active and may read events. */
      const recheck = async () => {
        if (stopped || !options.users) return;
        let allowed = true;
        try {
          const user = await options.users.get(actor.id);
          allowed = user !== null && user.active && can(user.role, permission);
        } catch {
          // A failing store is no proof of anything: the next check decides.
        }
        if (allowed || stopped) return;
        stopped = true;
        sink.revoked();
      };
      const unsubscribeUsers = options.users
        ? await coordination.subscribe(USER_CHANGES_CHANNEL, (message) => {
            if ((message as { id?: unknown }).id === actor.id) void recheck();
          })
        : async () => {};

      return {
        recheck,
        close: () => {
          stopped = true;
          void unsubscribe();
          void unsubscribeUsers();
        },
      };
    },
  };
}
