import { describe, expect, it } from 'vitest';
import { createTurns } from './turns';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/**
 * Six workers, each eight slices of write work (2 ms of CPU) with a yield between; a timer that
 * re-arms itself stands for the I/O of a read arriving. Returns the longest run of slices with no
 * tick of the timer between them: how many slices a read waits behind.
 */
async function longestRun(yieldBetween: () => Promise<void>): Promise<number> {
  const log: string[] = [];
  let running = true;
  const tick = () => {
    log.push('tick');
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const worker = async () => {
    for (let slice = 0; slice < 8; slice++) {
      await yieldBetween();
      busy(2);
      log.push('slice');
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  running = false;
  let longest = 0;
  let run = 0;
  for (const entry of log) {
    run = entry === 'slice' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  expect(log.filter((e) => e === 'slice')).toHaveLength(48);
  return longest;
}

describe('turns of the event loop for write work', () => {
  it('setImmediate alone runs every waiting worker’s slice in one turn (what reads waited behind)', async () => {
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    expect(await longestRun(nextTurn)).toBeGreaterThanOrEqual(6);
  });

  it('hands out one turn per iteration of the loop: between two slices the loop polls again', async () => {
    const turns = createTurns();
    expect(await longestRun(() => turns.next())).toBe(1);
    expect(turns.waiting()).toBe(0);
  });

  it('serves waiting callers first come, first served', async () => {
    const turns = createTurns();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => turns.next().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
