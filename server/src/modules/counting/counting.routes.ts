import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { RecordResult } from '@stockverify/shared';
import {
  batchSerialCount,
  JSON_LIMITS,
  jsonBeyondLimits,
  jsonTextDepth,
  MAX_BATCH_SERIALS,
  syncBatchSchema,
} from '@stockverify/shared';
import type { AuthGuard } from '../../http/auth-guard';
import { actorOf } from '../../http/auth-guard';
import { AppError, validationError } from '../../lib/errors';
import { sendError, sendOk } from '../../http/envelope';
import { metaOf } from '../../http/request-meta';
import { parse } from '../../http/validate';
import type { CircuitBreaker } from '../../lib/circuit-breaker';
import type { CountingService } from './counting.service';
import type { SyncRateService } from './sync-rate.service';
import type { ClockSampleRecorder } from '../movements/clock-samples.service';

const sessionParams = z.object({ id: z.string().min(1).max(64) });
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, '8–128 letters, digits, dot, dash, colon or underscore');

/**
 * Refuses a body whose shape goes beyond JSON_LIMITS (depth, values, text and key lengths) with
 * 400 and the path at fault, before anything walks it recursively (issue #12 #1).
 */
function assertBoundedBody(body: unknown): void {
  const beyond = jsonBeyondLimits(body);
  if (!beyond) return;
  const details = [{ path: beyond.path || 'body', message: beyond.message, code: 'JSON_LIMIT' }];
  if (beyond.limit === 'maxNodes') {
    // Too much in one request, not a wrong one: 413, so a phone halves its batch and goes on.
    throw new AppError(
      413,
      'PAYLOAD_TOO_LARGE',
      `The body is too large: ${beyond.message}`,
      details,
      {
        limit: 'values_per_request',
        max: JSON_LIMITS.maxNodes,
      },
    );
  }
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    `The body is not acceptable: ${beyond.message}`,
    details,
  );
}

/**
 * `verify` hook for express.json: refuses a body nested deeper than JSON_LIMITS.maxDepth from its
 * raw bytes, before it is parsed (issue #12 #1). The AppError passes through body-parser as is.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonTextDepth(buf, JSON_LIMITS.maxDepth) > JSON_LIMITS.maxDepth) {
    throw new AppError(
      400,
      'VALIDATION_FAILED',
      `The body is not acceptable: nested deeper than ${JSON_LIMITS.maxDepth} levels`,
      [
        {
          path: 'body',
          message: `nested deeper than ${JSON_LIMITS.maxDepth} levels`,
          code: 'JSON_LIMIT',
        },
      ],
    );
  }
}

function sendResult(req: Request, res: Response, result: RecordResult): void {
  if (result.status === 'OK') {
    sendOk(req, res, result, 201, result.message);
    return;
  }
  // A session of another warehouse is a 403, like every other warehouse refusal (issue #12).
  const status =
    result.status === 'CONFLICT' ? 409 : result.code === 'WAREHOUSE_FORBIDDEN' ? 403 : 400;
  sendError(req, res, status, {
    code: (result.code ?? 'VALIDATION_FAILED') as never,
    message: result.message,
    details: result.details,
    result,
  });
}

/** `POST /sessions/:id/count-lines` and `POST /sync/batch`: one code path (design §5). */
export function countingRoutes(
  counting: CountingService,
  guard: AuthGuard,
  syncRate: SyncRateService,
  storeBreaker: CircuitBreaker,
  clockSamples?: ClockSampleRecorder,
) {
  const sessions = Router();
  sessions.post(
    '/:id/count-lines',
    guard.requireAuth,
    guard.requirePermission('counting.write'),
    async (req, res) => {
      assertBoundedBody(req.body);
      const { id } = parse(sessionParams, req.params, 'params');
      const deviceId = req.get('x-device-id')?.trim() || null;
      // Stored on the line like a batch's device_id, so bounded the same way.
      if (deviceId !== null && (deviceId.length > 128 || !/^[\x20-\x7e]+$/.test(deviceId)))
        throw validationError([
          { path: 'headers.x-device-id', message: 'at most 128 printable ASCII characters' },
        ]);
      sendResult(
        req,
        res,
        await storeBreaker.call(() =>
          counting.countOnline(actorOf(req), metaOf(req), id, req.body, deviceId),
        ),
      );
    },
  );

  const sync = Router();
  sync.post(
    '/batch',
    guard.requireAuth,
    guard.requirePermission('counting.write'),
    async (req, res) => {
      const started = performance.now();
      assertBoundedBody(req.body);
      const actor = actorOf(req);
      await syncRate.hit(actor.id);
      const keyHeader = req.get('idempotency-key');
      if (!keyHeader)
        throw validationError([
          {
            path: 'headers.idempotency-key',
            message: 'required: one key per batch, reused on every retry',
          },
        ]);
      const keyCheck = idempotencyKey.safeParse(keyHeader);
      if (!keyCheck.success)
        throw validationError([
          { path: 'headers.idempotency-key', message: keyCheck.error.issues[0]!.message },
        ]);
      const body = parse(syncBatchSchema, req.body, 'body');
      // Total work per batch (issue #12 #4): a phone halves its batch on 413 and sends again.
      const serials = batchSerialCount(body.records);
      if (serials > MAX_BATCH_SERIALS) {
        throw new AppError(
          413,
          'PAYLOAD_TOO_LARGE',
          `The batch carries ${serials} serials; at most ${MAX_BATCH_SERIALS} per batch`,
          [{ path: 'records', message: `at most ${MAX_BATCH_SERIALS} serials per batch` }],
          { limit: 'serials_per_batch', max: MAX_BATCH_SERIALS },
        );
      }
      const outcome = await storeBreaker.call(() =>
        counting.syncBatch(actor, metaOf(req), keyCheck.data, body),
      );
      const counts = { OK: 0, CONFLICT: 0, ERROR: 0 };
      for (const r of outcome.results) counts[r.status]++;
      // The phone's clock sample (design §13), stored with the time of this answer. A replay (the
      // key's stored answer, or every op answered before) is none: it carries the first sending's
      // client_sent_at, so minutes later it would read as a very slow request and move or split
      // the phone's clock.
      const { client_sent_at: sentAt, ...rest } = body;
      const sample =
        !outcome.fresh || sentAt === undefined ? rest : { ...rest, client_sent_at: sentAt };
      const clock = clockSamples
        ? await storeBreaker.call(() => clockSamples.record(res, actor.id, sample))
        : undefined;
      res.setHeader('Idempotent-Replayed', String(outcome.replayed));
      // The handler's time for the batch (W3C Server-Timing): validation, checks, writes; not the
      // JSON parse before it. Phones and benchmarks can tell it from the network.
      res.setHeader('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
      sendOk(
        req,
        res,
        { results: outcome.results, counts, replayed: outcome.replayed, clock },
        200,
        `${counts.OK} saved, ${counts.CONFLICT} conflicts, ${counts.ERROR} errors`,
      );
    },
  );

  return { sessions, sync };
}
