/**
 * Turns of the event loop for long write work (issue #13, docs/design.md §10 "Reads while phones
 * sync"). The SQLite store answers synchronously, so a long sync batch gives the event loop back
 * between short store transactions. With `setImmediate` alone every waiting batch runs its next
 * slice in the same turn of the loop: twenty phones' batches ran twenty slices back to back while
 * a supervisor's read, arrived meanwhile, waited for all of them. `next()` hands out at most one
 * turn per iteration of the loop, first come first served, so between two slices of write work
 * the loop always polls for I/O: a read waits for one slice, not one slice per syncing phone.
 */
export interface Turns {
  /** Resolves in a later iteration of the event loop than the previous turn handed out. */
  next(): Promise<void>;
  /** Callers waiting for a turn. */
  waiting(): number;
}

export function createTurns(): Turns {
  const queue: Array<() => void> = [];
  let scheduled = false;
  function pump(): void {
    scheduled = false;
    queue.shift()?.();
    // Queued while the loop is in its check phase, so it runs in the next iteration, after the
    // poll for I/O: the one granted now runs its slice first (its continuation is a microtask).
    if (queue.length > 0) {
      scheduled = true;
      setImmediate(pump);
    }
  }
  return {
    next() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!scheduled) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    waiting: () => queue.length,
  };
}

/** The process's turns for write work that yields (sync batches). */
export const writeTurns: Turns = createTurns();
