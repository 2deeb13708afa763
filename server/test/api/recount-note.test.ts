/**
 * A supervisor's recount note reaches the counter's task even when the bin already waits for a
 * recount of that phase (issue #16, docs/design.md §11): the open task is kept (at most one per
 * bin) and takes the note, rather than the note being dropped.
 */
import { recountQueuePageSchema } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSession } from '../support/counting-fixture';
import { firstCount, startRecountApp, type User } from '../support/recount-fixture';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let supervisor: User;
let alice: User;

beforeEach(async () => {
  ({ t, supervisor, alice } = await startRecountApp());
});
afterEach(async () => {
  await t.close();
});

describe("a supervisor's recount note", () => {
  it('is stored on the task already open for that phase', async () => {
    const session = await createSession(t, supervisor.token);
    // 5 against a book of 10 (± 1 on ITM-A): a recount task of phase 1 opens, with no note.
    await firstCount(t, alice, session, 5);
    const openTasks = async () => {
      const res = await t.request('GET', `/api/sessions/${session.id}/recount-tasks?state=open`, {
        token: supervisor.token,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return recountQueuePageSchema.parse(res.body.data).items;
    };
    const [before] = await openTasks();
    expect(before).toMatchObject({ phase: 1, note: null });

    const asked = await t.request('POST', `/api/sessions/${session.id}/bins/A-01/ITM-A/decisions`, {
      token: supervisor.token,
      body: { kind: 'recount', reason: 'Check the top shelf too' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const after = await openTasks();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      task_id: before!.task_id,
      phase: 1,
      note: 'Check the top shelf too',
    });
  });
});
