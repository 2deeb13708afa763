import { useEffect, useState } from 'react';
import { ApiClientError } from '../../api/client';
import { useServices } from '../../app/context';
import { applyHeartbeat } from '../../work/claims';

/** Clients beat every 20–30 s (design §4); the lock TTL is 60 s. */
export const HEARTBEAT_MS = 25_000;

export interface HeartbeatState {
  lastOkAt: Date | null;
  lastFailure: { at: Date; message: string } | null;
  /** Racks the server says this user no longer holds. */
  lost: string[];
}

/** Beats every 25 s while a claim is active and reports honestly when beats fail. */
export function useHeartbeat(sessionId: string, active: boolean): HeartbeatState {
  const { api, deviceDb, deviceId } = useServices();
  const [state, setState] = useState<HeartbeatState>({
    lastOkAt: null,
    lastFailure: null,
    lost: [],
  });

  useEffect(() => {
    if (!active) return;
    let live = true;
    const beat = async () => {
      try {
        const answer = await api.heartbeat(sessionId, deviceId);
        await applyHeartbeat(deviceDb, sessionId, answer.claims, answer.lost);
        if (live) setState({ lastOkAt: new Date(), lastFailure: null, lost: answer.lost });
      } catch (error) {
        const message =
          error instanceof ApiClientError && error.status === 0
            ? 'no connection'
            : error instanceof Error
              ? error.message
              : String(error);
        if (live) setState((s) => ({ ...s, lastFailure: { at: new Date(), message } }));
      }
    };
    void beat();
    const timer = setInterval(() => void beat(), HEARTBEAT_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, active, deviceDb, deviceId, sessionId]);

  return state;
}

/** One honest sentence about the lock for the scan screen. */
export function describeHeartbeat(state: HeartbeatState, rack: string, now: Date): string {
  if (state.lost.includes(rack)) {
    return `Your hold on rack ${rack} was lost (a supervisor may have released it). Counts you save are kept, and the supervisor decides on them.`;
  }
  if (state.lastFailure) {
    const since = state.lastOkAt
      ? `Last contact ${Math.round((now.getTime() - state.lastOkAt.getTime()) / 1000)} s ago. `
      : '';
    return `Heartbeat failed (${state.lastFailure.message}). ${since}Keep counting: everything is saved on this phone and the rack stays reserved for you for a while.`;
  }
  if (state.lastOkAt)
    return `Rack ${rack} is held by you (checked ${state.lastOkAt.toLocaleTimeString()}).`;
  return `Checking your hold on rack ${rack}…`;
}
