/**
 * The rule table of issue #16 (docs/design.md §12, docs/api.md "Tolerance rules"): every answer is
 * checked against the shared schema. Edits and deletes go through `client.raw` (the client has no
 * PUT or DELETE helper) and read the envelope here, with the same ApiError as every other call.
 */
import {
  toleranceRuleChangeSchema,
  toleranceRuleSetSchema,
  tolerancePreviewSchema,
  toleranceVersionDetailSchema,
  toleranceVersionPageSchema,
} from '@stockverify/shared';
import type {
  CreateToleranceRuleInput,
  TolerancePreview,
  TolerancePreviewRequest,
  ToleranceRuleChange,
  ToleranceRuleSet,
  ToleranceVersionDetail,
  ToleranceVersionPage,
  UpdateToleranceRuleInput,
} from '@stockverify/shared';
import { ApiError, parseAnswer, queryString } from './client';
import type { AnswerSchema, ApiClient } from './client';

const BASE = '/tolerance-rules';

/** What a rule change sends: the content of a rule, as `toleranceRuleSchema` has it (no id, version). */
export type ToleranceRuleContent = Omit<CreateToleranceRuleInput, 'id'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A PUT or DELETE with the bearer token; the envelope's data checked against `schema`. */
async function send<T>(
  client: ApiClient,
  schema: AnswerSchema<T>,
  method: 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await client.raw(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', `Cannot reach the server at ${client.baseUrl}.`);
  }
  let envelope: unknown;
  try {
    envelope = await response.json();
  } catch {
    throw new ApiError(response.status, 'NOT_JSON', `The server answered HTTP ${response.status}.`);
  }
  if (!isRecord(envelope) || typeof envelope.success !== 'boolean') {
    throw new ApiError(response.status, 'NOT_JSON', 'That is not a Stock Verify server.');
  }
  if (!envelope.success || !response.ok) {
    const error = isRecord(envelope.error) ? envelope.error : {};
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : 'ERROR',
      typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      Array.isArray(error.details) ? (error.details as ApiError['details']) : [],
    );
  }
  return parseAnswer(schema, envelope.data, path);
}

const rulePath = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

/** `GET /tolerance-rules`: the rules in force, the table version and hash. */
export function readToleranceRules(client: ApiClient): Promise<ToleranceRuleSet> {
  return client.read(toleranceRuleSetSchema, BASE);
}

/** `POST /tolerance-rules`: a new rule (the server names it when `id` is left out). */
export function createToleranceRule(
  client: ApiClient,
  input: CreateToleranceRuleInput,
): Promise<ToleranceRuleChange> {
  return client.write(toleranceRuleChangeSchema, BASE, input);
}

/** `PUT /tolerance-rules/:id`: `version` is the rule version edited (409 STALE_VERSION if it moved). */
export function updateToleranceRule(
  client: ApiClient,
  id: string,
  input: UpdateToleranceRuleInput,
): Promise<ToleranceRuleChange> {
  return send(client, toleranceRuleChangeSchema, 'PUT', rulePath(id), input);
}

/** `DELETE /tolerance-rules/:id?version=N`. */
export function deleteToleranceRule(
  client: ApiClient,
  id: string,
  version: number,
): Promise<ToleranceRuleChange> {
  return send(
    client,
    toleranceRuleChangeSchema,
    'DELETE',
    `${rulePath(id)}${queryString({ version })}`,
  );
}

/** `GET /tolerance-rules/versions`: newest first. */
export function readToleranceVersions(
  client: ApiClient,
  page = 1,
  pageSize = 50,
): Promise<ToleranceVersionPage> {
  return client.read(toleranceVersionPageSchema, `${BASE}/versions`, {
    page,
    page_size: pageSize,
  });
}

/** `GET /tolerance-rules/versions/:version`: that version's rules. */
export function readToleranceVersion(
  client: ApiClient,
  version: number,
): Promise<ToleranceVersionDetail> {
  return client.read(toleranceVersionDetailSchema, `${BASE}/versions/${version}`);
}

/** `POST /tolerance-rules/preview`: what candidate rules would have done with a session's counts. */
export function previewToleranceRules(
  client: ApiClient,
  input: TolerancePreviewRequest,
): Promise<TolerancePreview> {
  return client.write(tolerancePreviewSchema, `${BASE}/preview`, input);
}

/** True for the answer to an edit or delete of a rule that changed meanwhile. */
export function isStaleVersion(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409 && error.code === 'STALE_VERSION';
}
