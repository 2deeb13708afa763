import type { LiveEvent } from '@stockverify/shared';

/**
 * Whether a live event may change the recount tasks `userId` holds in `sessionId` (docs/design.md
 * §11 "Tasks reach the phone"): a task opened, assigned or closed for them, or offered to anyone
 * (`assigned_to` null), or taken from them (`previous_assigned_to`). An event that does not say
 * whose task it is concerns every counter of the session: a notice too many costs one fetch, a
 * notice too few leaves a task waiting for the next poll.
 */
export function concernsCounter(event: LiveEvent, sessionId: string, userId: string): boolean {
  if (event.type !== 'recount_task' || event.session_id !== sessionId) return false;
  const data = event.data ?? {};
  const holder = data['assigned_to'];
  if (holder === undefined || holder === null || holder === userId) return true;
  if (!('previous_assigned_to' in data)) return false;
  const before = data['previous_assigned_to'];
  return before === null || before === userId;
}

/**
 * Calls `notify` once for a burst of calls to the returned function: `delayMs` after the first
 * (a batch that opens 40 tasks sends one notice). `cancel` drops a notice still waiting.
 */
export function coalesce(notify: () => void, delayMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    poke() {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        notify();
      }, delayMs);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
