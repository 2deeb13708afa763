import type { LiveEvent } from '@stockverify/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalesce, concernsCounter } from './task-notices';

const event = (over: Partial<LiveEvent> & { data?: Record<string, unknown> }): LiveEvent => ({
  type: 'recount_task',
  action: 'opened',
  session_id: 's1',
  at: '2026-12-07T04:00:00.000Z',
  ...over,
});

describe('concernsCounter', () => {
  it.each([
    ['a task given to them', { data: { assigned_to: 'u1' } }, true],
    ['a task given to another', { data: { assigned_to: 'u2' } }, false],
    ['a task offered to anyone', { data: { assigned_to: null } }, true],
    ['an event that does not say whose', { data: { task_id: 't' } }, true],
    ['a task taken from them', { data: { assigned_to: 'u2', previous_assigned_to: 'u1' } }, true],
    [
      'a task taken from the pool',
      { data: { assigned_to: 'u2', previous_assigned_to: null } },
      true,
    ],
    [
      'a task moved between others',
      { data: { assigned_to: 'u2', previous_assigned_to: 'u3' } },
      false,
    ],
    ['another session', { session_id: 's2', data: { assigned_to: 'u1' } }, false],
    ['another kind of event', { type: 'bin' as const, data: { assigned_to: 'u1' } }, false],
  ])('%s → %s', (_name, over, expected) => {
    expect(concernsCounter(event(over), 's1', 'u1')).toBe(expected);
  });
});

describe('coalesce', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one notice for a burst, another for the next burst, none once cancelled', () => {
    vi.useFakeTimers();
    const notify = vi.fn();
    const notice = coalesce(notify, 250);
    for (let i = 0; i < 40; i++) notice.poke();
    vi.advanceTimersByTime(249);
    expect(notify).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(notify).toHaveBeenCalledTimes(1);
    notice.poke();
    vi.advanceTimersByTime(250);
    expect(notify).toHaveBeenCalledTimes(2);
    notice.poke();
    notice.cancel();
    vi.advanceTimersByTime(1_000);
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
