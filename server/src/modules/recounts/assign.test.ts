import { describe, expect, it } from 'vitest';
import { createMemoryCoordination } from '../../adapters/coordination/memory';
import { chooseAssignee, readAssignmentFacts } from './assign';

describe('chooseAssignee (docs/design.md §11)', () => {
  const workload = new Map([
    ['u-b', 2],
    ['u-c', 1],
  ]);

  it('takes the present counter who did not count the bin with the fewest open tasks', () => {
    expect(chooseAssignee({ present: ['u-a', 'u-b', 'u-c'], workload }, ['u-a'])).toBe('u-c');
    expect(chooseAssignee({ present: ['u-b', 'u-c'], workload }, ['u-c'])).toBe('u-b');
  });

  it('breaks ties by user id, whatever order presence lists them in', () => {
    const none = new Map<string, number>();
    expect(chooseAssignee({ present: ['u-z', 'u-d', 'u-m'], workload: none }, [])).toBe('u-d');
    expect(chooseAssignee({ present: ['u-m', 'u-z', 'u-d'], workload: none }, [])).toBe('u-d');
  });

  it('answers null when nobody eligible is present (the task is offered to all)', () => {
    expect(chooseAssignee({ present: [], workload }, [])).toBeNull();
    expect(chooseAssignee({ present: ['u-a'], workload }, ['u-a'])).toBeNull();
  });
});

describe('readAssignmentFacts', () => {
  it("reads the session's presence and counts tasks given meanwhile", async () => {
    const coordination = createMemoryCoordination();
    await coordination.setPresence('session:s1', 'u-a', { username: 'a' }, 60_000);
    await coordination.setPresence('session:s1', 'u-b', { username: 'b' }, 60_000);
    await coordination.setPresence('session:s2', 'u-c', { username: 'c' }, 60_000);
    const facts = await readAssignmentFacts(
      { coordination, recountTasks: { openCountsByAssignee: async () => new Map() } },
      's1',
    );
    expect([...facts.present].sort()).toEqual(['u-a', 'u-b']);
    expect(chooseAssignee(facts, [])).toBe('u-a');
    facts.take('u-a');
    // Two tasks opened in one settlement spread over the present counters.
    expect(chooseAssignee(facts, [])).toBe('u-b');
    await coordination.close();
  });
});
