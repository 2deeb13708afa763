/**
 * Device clock samples from sync requests (issue #17, docs/design.md §13). The arrival time is
 * stamped before the body is read (`arrivalStamp`, mounted ahead of the sync body parser); the
 * sample is stored when the answer is ready, with the server's answer time, which the answer
 * carries (`clock`) so the phone can report the round trip on its next request.
 */
import type { RequestHandler, Response } from 'express';
import type { LastRoundTrip } from '@stockverify/shared';
import type { ClockSampleRepo } from '../../ports/clock-samples';

const ARRIVED = 'syncArrivedAt';

/** Stamps the server's clock on the request as it arrives, before its body is read. */
export function arrivalStamp(clock: () => Date): RequestHandler {
  return (_req, res, next) => {
    (res.locals as Record<string, unknown>)[ARRIVED] = clock().toISOString();
    next();
  };
}

export interface ClockSampleRecorder {
  /**
   * Records the request's sample (when the phone sent `client_sent_at`) and completes the previous
   * request's round trip (`last_round_trip`, when it matches a stored sample). Returns the clock
   * block of the answer.
   */
  record(
    res: Response,
    userId: string,
    body: { device_id: string; client_sent_at?: string; last_round_trip?: LastRoundTrip },
  ): Promise<{ server_received_at: string; server_sent_at: string }>;
}

const canonical = (iso: string): string => new Date(iso).toISOString();

export function createClockSampleRecorder(
  samples: ClockSampleRepo,
  clock: () => Date,
): ClockSampleRecorder {
  return {
    async record(res, userId, body) {
      const stamped = (res.locals as Record<string, unknown>)[ARRIVED];
      const now = clock().toISOString();
      const receivedAt = typeof stamped === 'string' ? stamped : now;
      const answer = { server_received_at: receivedAt, server_sent_at: now };
      const trip = body.last_round_trip;
      // A report whose answer reached the phone before it sent the request is no round trip: left out.
      if (
        trip !== undefined &&
        Date.parse(trip.client_received_at) >= Date.parse(trip.client_sent_at)
      ) {
        // Stored only when it matches what this server answered: a phone cannot invent its times.
        await samples.completeRoundTrip({
          user_id: userId,
          device_id: body.device_id,
          client_sent_at: canonical(trip.client_sent_at),
          server_received_at: canonical(trip.server_received_at),
          server_sent_at: canonical(trip.server_sent_at),
          client_received_at: canonical(trip.client_received_at),
        });
      }
      if (body.client_sent_at !== undefined) {
        await samples.record({
          user_id: userId,
          device_id: body.device_id,
          client_sent_at: canonical(body.client_sent_at),
          ...answer,
        });
      }
      return answer;
    },
  };
}
