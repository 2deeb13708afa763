import type { LiveEvent } from '@stockverify/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../../api/client';
import type { ApiClient, Page } from '../../api/client';
import { useLiveEvents } from '../watchtower/useLiveEvents';
import type { StreamState } from '../watchtower/useLiveEvents';
import { touchesRecounts } from './recount-words';

/** Live events come in bursts while phones sync: lists reload at most this often. */
const REFRESH_MS = 1500;

/**
 * One subscription to the live events for the session's recount lists: `tick` grows (at most every
 * REFRESH_MS) when an event may have changed a task or a bin of the session.
 */
export function useRecountTick(
  client: ApiClient,
  sessionId: string,
): { tick: number; stream: StreamState } {
  const [tick, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (!touchesRecounts(event, sessionId) || pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        setTick((n) => n + 1);
      }, REFRESH_MS);
    },
    [sessionId],
  );
  const stream = useLiveEvents(client, onEvent);
  return { tick, stream };
}

/**
 * A server-paged list that grows a page at a time as it is scrolled (`more()`) and starts again
 * from its first page when `key` changes (new filters, a live tick). `fetchPage(page)` reads one
 * page; the latest one given is used.
 */
export function useLivePages<T>(
  key: string,
  pageSize: number,
  fetchPage: (page: number) => Promise<Page<T>>,
): { rows: T[]; total: number | null; error: string | null; more(): void; reload(): void } {
  const [rows, setRows] = useState<T[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loaded = useRef(0);
  const known = useRef<number | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;

  const load = useCallback(
    async (replace: boolean) => {
      if (loading.current && !replace) return;
      if (!replace && known.current !== null && loaded.current >= known.current) return;
      loading.current = true;
      const mine = replace ? ++generation.current : generation.current;
      const page = replace ? 1 : Math.floor(loaded.current / pageSize) + 1;
      try {
        const answer = await fetcher.current(page);
        if (mine !== generation.current) return;
        const before = (page - 1) * pageSize;
        loaded.current = before + answer.items.length;
        known.current = answer.total;
        setTotal(answer.total);
        setRows((old) => (replace ? answer.items : [...old.slice(0, before), ...answer.items]));
        setError(null);
      } catch (e) {
        if (mine === generation.current) setError(errorText(e));
      } finally {
        if (mine === generation.current) loading.current = false;
      }
    },
    [pageSize],
  );

  useEffect(() => {
    void load(true);
  }, [load, key]);

  return { rows, total, error, more: () => void load(false), reload: () => void load(true) };
}
