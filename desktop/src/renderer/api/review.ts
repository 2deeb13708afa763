import { conflictSchema, reviewedLineSchema, unknownItemSchema } from '@stockverify/shared';
import type {
  Conflict,
  ResolveUnknownItemInput,
  ReviewedLine,
  UnknownItem,
} from '@stockverify/shared';
import { parseAnswer, type ApiClient } from './client';

/** `PATCH /lines/:id/review`: the line as stored after the decision, checked against the shared schema. */
export async function reviewLine(
  client: ApiClient,
  lineId: string,
  body: { decision: 'approve' | 'reject' | 'recount'; note?: string },
): Promise<ReviewedLine> {
  const path = `/lines/${encodeURIComponent(lineId)}/review`;
  return parseAnswer(reviewedLineSchema, await client.patch<unknown>(path, body), path);
}

/** `POST /conflicts/:id/resolve`: the resolved conflict. */
export function resolveConflict(
  client: ApiClient,
  conflictId: string,
  action: 'accept' | 'discard',
): Promise<Conflict> {
  return client.write(conflictSchema, `/conflicts/${encodeURIComponent(conflictId)}/resolve`, {
    action,
  });
}

/** `POST /unknown-items/:id/resolve`: the resolved unknown item. */
export function resolveUnknownItem(
  client: ApiClient,
  unknownId: string,
  input: ResolveUnknownItemInput,
): Promise<UnknownItem> {
  return client.write(
    unknownItemSchema,
    `/unknown-items/${encodeURIComponent(unknownId)}/resolve`,
    input,
  );
}
