/**
 * Recount tasks and bins for the supervisor (issue #16 items 2–4, docs/design.md §12, docs/api.md):
 * every answer is checked against the shared schema of `shared/src/bins.ts`.
 */
import {
  binDetailSchema,
  binPageSchema,
  recountQueueItemSchema,
  recountQueuePageSchema,
  userDirectorySchema,
} from '@stockverify/shared';
import type {
  BinDecisionRequest,
  BinDetail,
  BinPage,
  BinQuery,
  LateCountsAcknowledge,
  OpenBin,
  RecountQueueItem,
  RecountQueuePage,
  RecountQueueQuery,
  UserDirectoryEntry,
} from '@stockverify/shared';
import { openBinsFrom } from '../features/recounts/recount-words';
import { ApiError } from './client';
import type { AnswerSchema, ApiClient } from './client';

const sessionPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;
const binPath = (sessionId: string, rack: string, item: string) =>
  `${sessionPath(sessionId)}/bins/${encodeURIComponent(rack)}/${encodeURIComponent(item)}`;

/** `GET /sessions/:id/recount-tasks`: the supervisor's queue, one page. */
export function readRecountQueue(
  client: ApiClient,
  sessionId: string,
  query: Partial<RecountQueueQuery>,
): Promise<RecountQueuePage> {
  return client.read(recountQueuePageSchema, `${sessionPath(sessionId)}/recount-tasks`, query);
}

/** The assign route answers the task as it is now; anything else reads as "reload to see it". */
const assignAnswerSchema: AnswerSchema<RecountQueueItem | null> = {
  parse(value) {
    const task = recountQueueItemSchema.safeParse(value);
    return task.success ? task.data : null;
  },
};

/** `POST /sessions/:id/recount-tasks/:task/assign`: a counter, or null to offer it to everyone. */
export function assignRecountTask(
  client: ApiClient,
  sessionId: string,
  taskId: string,
  userId: string | null,
): Promise<RecountQueueItem | null> {
  return client.write(
    assignAnswerSchema,
    `${sessionPath(sessionId)}/recount-tasks/${encodeURIComponent(taskId)}/assign`,
    { user_id: userId },
  );
}

/** `GET /sessions/:id/bins`: one page of the session's bins. */
export function readBins(
  client: ApiClient,
  sessionId: string,
  query: Partial<BinQuery>,
): Promise<BinPage> {
  return client.read(binPageSchema, `${sessionPath(sessionId)}/bins`, query);
}

/** `GET /sessions/:id/bins/:rack/:item`: the bin and its whole history. */
export function readBin(
  client: ApiClient,
  sessionId: string,
  rack: string,
  item: string,
): Promise<BinDetail> {
  return client.read(binDetailSchema, binPath(sessionId, rack, item));
}

/** `POST /sessions/:id/bins/:rack/:item/decisions`: decide, override or ask for a recount. */
export async function decideBin(
  client: ApiClient,
  sessionId: string,
  rack: string,
  item: string,
  body: BinDecisionRequest,
): Promise<void> {
  await client.post<unknown>(`${binPath(sessionId, rack, item)}/decisions`, body);
}

/**
 * `POST /sessions/:id/bins/:rack/:item/late-counts/acknowledge`: keep the decision having looked at
 * the bin's late counts, with a reason (docs/design.md §11 "Late counts").
 */
export async function acknowledgeLateCounts(
  client: ApiClient,
  sessionId: string,
  rack: string,
  item: string,
  body: LateCountsAcknowledge,
): Promise<void> {
  await client.post<unknown>(`${binPath(sessionId, rack, item)}/late-counts/acknowledge`, body);
}

/** Counters a task may be given to (`GET /users/directory?role=staff`). */
export async function searchCounters(client: ApiClient, q: string): Promise<UserDirectoryEntry[]> {
  const found = await client.read(userDirectorySchema, '/users/directory', {
    q: q.trim() || undefined,
    role: 'staff',
    limit: 50,
  });
  return found.items;
}

/** Reconcile refused because recounts are open or bins wait for a supervisor (409 RECOUNTS_OPEN). */
export class RecountsOpenError extends ApiError {
  /** How many bins are open in all (the answer lists the first ones). */
  readonly total: number;
  constructor(
    cause: ApiError,
    readonly bins: OpenBin[],
  ) {
    super(cause.status, cause.code, cause.message, cause.details, cause.extra);
    this.name = 'RecountsOpenError';
    const total = cause.extra.open_bins_total;
    this.total = typeof total === 'number' && total >= bins.length ? total : bins.length;
  }
}

/** `POST /sessions/:id/reconcile`; a 409 RECOUNTS_OPEN is thrown as RecountsOpenError with its list. */
export async function reconcileSession(client: ApiClient, sessionId: string): Promise<void> {
  try {
    await client.post<unknown>(`${sessionPath(sessionId)}/reconcile`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'RECOUNTS_OPEN') {
      throw new RecountsOpenError(error, openBinsFrom(error.details, error.extra));
    }
    throw error;
  }
}
