/**
 * A counter's live task notices (issue #16 item 2, docs/design.md §11 "Tasks reach the phone"):
 * `GET /sessions/:id/recount-tasks/live` tells a phone, as Server-Sent Events, that its recount
 * tasks changed, so a task reaches the counter it was given to at once rather than at the next
 * poll. The notice carries no task content (the phone reads its list, blind as ever); it goes to
 * the counter a task is given to, not to the one who counted; a task answered tells its holder;
 * a disabled counter's stream ends; bad requests are refused before any stream opens.
 */
import { randomUUID } from 'node:crypto';
import type { CountSession } from '@stockverify/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRecord, createSession, sync } from '../support/counting-fixture';
import { firstCount, startRecountApp, type User } from '../support/recount-fixture';
import { expectPlaceFreed, openSse, type SseEvent } from '../support/sse';
import type { TestApp } from '../support/test-app';
import { TASK_STREAMS_PER_USER } from '../../src/app';

let t: TestApp;
let supervisor: User;
let alice: User;
let bob: User;
let carol: User;

beforeEach(async () => {
  ({ t, supervisor, alice, bob, carol } = await startRecountApp());
});
afterEach(async () => {
  await t.close();
});

/** A counter's stream of task notices. */
async function openStream(who: User, session: CountSession) {
  const stream = await openSse(
    `${t.baseUrl}/api/sessions/${session.id}/recount-tasks/live?access_token=${who.token}`,
  );
  return { notices: stream.events, readFor: stream.readFor, close: stream.close };
}

const tasksNotices = (notices: SseEvent[]) => notices.filter((n) => n.event === 'tasks');

describe('a counter’s live task notices', () => {
  it('tell the counter a task is given to, at once and without its content; not the counter who counted', async () => {
    const session = await createSession(t, supervisor.token);
    // Bob is present (his phone beats), so the task goes to him.
    const beat = await t.request('POST', `/api/sessions/${session.id}/heartbeat`, {
      token: bob.token,
      body: { device_id: 'phone-b' },
    });
    expect(beat.status).toBe(200);
    const bobs = await openStream(bob, session);
    const alices = await openStream(alice, session);
    const carols = await openStream(carol, session);
    try {
      await firstCount(t, alice, session, 5);
      await bobs.readFor(5_000, () => tasksNotices(bobs.notices).length > 0);
      expect(tasksNotices(bobs.notices)).toEqual([
        { event: 'tasks', data: { session_id: session.id } },
      ]);
      // Alice counted the bin and Carol was not given the task: nothing for them.
      await Promise.all([alices.readFor(600), carols.readFor(600)]);
      expect(tasksNotices(alices.notices)).toEqual([]);
      expect(tasksNotices(carols.notices)).toEqual([]);

      // Bob answers: the task closes, and Bob's phone hears its list changed.
      const tasks = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
        token: bob.token,
      });
      const taskId = (tasks.body.data as { items: Array<{ task_id: string }> }).items[0]!.task_id;
      const before = tasksNotices(bobs.notices).length;
      const { fencing_token: _none, ...answer } = countRecord(session.id, 'A-01', 'ITM-A', 1, {
        counted_qty: 5,
        recount_task_id: taskId,
      });
      const res = await sync(t, bob.token, [answer]);
      expect(res.body.data.results[0]!.status, JSON.stringify(res.body.data)).toBe('OK');
      await bobs.readFor(5_000, () => tasksNotices(bobs.notices).length > before);
      expect(tasksNotices(bobs.notices).length).toBe(before + 1);
    } finally {
      bobs.close();
      alices.close();
      carols.close();
    }
  });

  it('tell every counter who may take a task offered to anyone (nobody present)', async () => {
    const session = await createSession(t, supervisor.token);
    const bobs = await openStream(bob, session);
    const carols = await openStream(carol, session);
    try {
      await firstCount(t, alice, session, 5);
      await Promise.all([
        bobs.readFor(5_000, () => tasksNotices(bobs.notices).length > 0),
        carols.readFor(5_000, () => tasksNotices(carols.notices).length > 0),
      ]);
      expect(tasksNotices(bobs.notices)).toHaveLength(1);
      expect(tasksNotices(carols.notices)).toHaveLength(1);
    } finally {
      bobs.close();
      carols.close();
    }
  });

  it('tell both counters when a supervisor moves a task from one to the other', async () => {
    const session = await createSession(t, supervisor.token);
    await t.request('POST', `/api/sessions/${session.id}/heartbeat`, {
      token: bob.token,
      body: { device_id: 'phone-b' },
    });
    await firstCount(t, alice, session, 5);
    const queue = await t.request('GET', `/api/sessions/${session.id}/recount-tasks`, {
      token: supervisor.token,
    });
    const task = (queue.body.data as { items: Array<{ task_id: string; assigned_to: string }> })
      .items[0]!;
    expect(task.assigned_to).toBe(bob.user.id);
    const bobs = await openStream(bob, session);
    const carols = await openStream(carol, session);
    const alices = await openStream(alice, session);
    try {
      const moved = await t.request(
        'POST',
        `/api/sessions/${session.id}/recount-tasks/${task.task_id}/assign`,
        { token: supervisor.token, body: { user_id: carol.user.id } },
      );
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      await Promise.all([
        bobs.readFor(5_000, () => tasksNotices(bobs.notices).length > 0),
        carols.readFor(5_000, () => tasksNotices(carols.notices).length > 0),
        alices.readFor(800),
      ]);
      expect(tasksNotices(bobs.notices)).toHaveLength(1);
      expect(tasksNotices(carols.notices)).toHaveLength(1);
      expect(tasksNotices(alices.notices)).toEqual([]);
    } finally {
      bobs.close();
      carols.close();
      alices.close();
    }
  });

  it('end for a counter disabled while the stream is open', async () => {
    const session = await createSession(t, supervisor.token);
    const admin = await t.userWithRole('admin', 'root');
    const bobs = await openStream(bob, session);
    try {
      const off = await t.request('PATCH', `/api/users/${bob.user.id}`, {
        token: admin.token,
        body: { active: false },
      });
      expect(off.status, JSON.stringify(off.body)).toBe(200);
      await bobs.readFor(5_000, () => bobs.notices.some((n) => n.event === 'end'));
      expect(bobs.notices.filter((n) => n.event === 'end')).toEqual([
        { event: 'end', data: { reason: 'access_revoked' } },
      ]);
    } finally {
      bobs.close();
    }
  });

  it('are at most TASK_STREAMS_PER_USER per counter: the next is 429, other counters unaffected, a closed one frees its place', async () => {
    const session = await createSession(t, supervisor.token);
    const url = (who: User) =>
      `${t.baseUrl}/api/sessions/${session.id}/recount-tasks/live?access_token=${who.token}`;
    const held = [];
    for (let n = 0; n < TASK_STREAMS_PER_USER; n++) held.push(await openStream(bob, session));
    try {
      const refused = await fetch(url(bob));
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'RATE_LIMITED',
      );
      const carols = await openStream(carol, session);
      carols.close();
      held.shift()!.close();
      await expectPlaceFreed(url(bob));
    } finally {
      for (const stream of held) stream.close();
    }
  });

  it('are refused without a token, for a session that does not exist, and for a malformed id', async () => {
    const session = await createSession(t, supervisor.token);
    const bare = await fetch(`${t.baseUrl}/api/sessions/${session.id}/recount-tasks/live`);
    expect(bare.status).toBe(401);
    await bare.body?.cancel();
    const missing = await fetch(
      `${t.baseUrl}/api/sessions/${randomUUID()}/recount-tasks/live?access_token=${bob.token}`,
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const long = await fetch(
      `${t.baseUrl}/api/sessions/${'x'.repeat(65)}/recount-tasks/live?access_token=${bob.token}`,
    );
    expect(long.status).toBe(400);
    const body = (await long.json()) as {
      error: { code: string; details: Array<{ path: string }> };
    };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details[0]!.path).toContain('id');
  });
});
