/**
 * Requests being answered now (issue #13, docs/design.md §10 "Reads while phones sync"). Background
 * work that takes a share of the event loop (the expected-at-count drain) takes its small share
 * while anyone waits for an answer: a supervisor's read or a phone's batch comes before figures
 * recomputed in the background. The process's one count, as `writeTurns` is its one queue of
 * write work.
 */
let open = 0;

export const requestsInFlight = {
  count: (): number => open,
  /** One more request in hand; the function given back ends it (once, however often called). */
  enter(): () => void {
    open += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      open -= 1;
    };
  },
};
