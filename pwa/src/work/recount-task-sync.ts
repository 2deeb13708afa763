import type { RecountTask } from '@stockverify/shared';
import type { RecountTaskEntry } from '../db/device-db';
import type { RecountTaskStore } from './recount-tasks';

/** How often an open session asks for its recount tasks (about a heartbeat, design §4). */
export const TASK_POLL_MS = 25_000;
/** A nudge (outbox changed, network back) refreshes at most this often. */
export const TASK_MIN_GAP_MS = 2_000;

export interface RecountTaskSyncOptions {
  /** `GET /sessions/:id/recount-tasks` for the signed-in counter. */
  fetchTasks: (sessionId: string) => Promise<RecountTask[]>;
  store: RecountTaskStore;
  userId: string;
  sessionId: string;
  /** Tasks this phone never had before, after they are stored. */
  onNew?: (tasks: RecountTaskEntry[]) => void;
  pollMs?: number;
  minGapMs?: number;
  now?: () => number;
}

/**
 * Keeps one session's recount tasks on the phone while it is online: a refresh at once, then every
 * `pollMs`, and soon after a nudge (a count saved or synced, the network back), never two at a
 * time and never more often than `minGapMs`. A failed refresh keeps what the phone holds: offline,
 * the tasks already here stay doable.
 */
export class RecountTaskSync {
  private timer: ReturnType<typeof setInterval> | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  /** The last refresh's failure, or null after a good one. */
  lastError: unknown = null;

  constructor(private readonly options: RecountTaskSyncOptions) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    this.stopped = false;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.pollMs ?? TASK_POLL_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.soon !== null) clearTimeout(this.soon);
    this.timer = null;
    this.soon = null;
  }

  /** Asks for a refresh soon: at once if the last one started long enough ago. */
  nudge(): void {
    if (this.stopped || this.soon !== null) return;
    const wait = Math.max(
      0,
      this.lastStartedAt + (this.options.minGapMs ?? TASK_MIN_GAP_MS) - this.now,
    );
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.refresh();
    }, wait);
  }

  /** Resolves once no refresh is running (tests, and a screen that wants the fresh list). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Fetches and stores the list; a refresh asked for while one runs runs once after it. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.lastStartedAt = this.now;
    const { fetchTasks, store, userId, sessionId, onNew } = this.options;
    this.running = (async () => {
      try {
        const tasks = await fetchTasks(sessionId);
        if (this.stopped) return;
        const added = await store.replace(userId, sessionId, tasks);
        this.lastError = null;
        if (added.length > 0 && !this.stopped) onNew?.(added);
      } catch (error) {
        this.lastError = error; // Offline or refused: the tasks on the phone stay.
      }
    })().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.nudge();
      }
    });
    return this.running;
  }
}

/** The browser's Notification, as far as the notice needs it. */
export interface NotificationHost {
  Notification?: {
    readonly permission: string;
    new (title: string, options?: { body?: string; tag?: string }): unknown;
  };
}

/** "Rack A-01 · Hammer 500 g" */
export function describeTask(task: Pick<RecountTask, 'rack' | 'item_code' | 'item_name'>): string {
  return `Rack ${task.rack} · ${task.item_name ?? task.item_code}`;
}

/**
 * A system notification for new tasks, only where the counter already allowed notifications:
 * permission is never asked for here (a prompt in the middle of counting is worse than none).
 * Returns whether one was shown.
 */
export function notifyNewTasks(
  tasks: readonly RecountTaskEntry[],
  host: NotificationHost = globalThis as NotificationHost,
): boolean {
  const Notify = host.Notification;
  if (tasks.length === 0 || !Notify || Notify.permission !== 'granted') return false;
  const title = tasks.length === 1 ? 'New recount task' : `${tasks.length} new recount tasks`;
  try {
    new Notify(title, {
      body: tasks.map(describeTask).join('\n'),
      tag: `recount-${tasks[0]!.session_id}`,
    });
    return true;
  } catch {
    // Some browsers allow notifications only from a service worker: the in-app notice stays.
    return false;
  }
}
