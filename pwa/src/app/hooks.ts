import { useEffect, useRef, useState } from 'react';
import type { OutboxCounts } from '../outbox/outbox';
import type { SyncStatus } from '../sync/sync-engine';
import { useServices } from './context';

/** Whether the browser thinks it is online, live. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** The sync engine's status, live. */
export function useSyncStatus(): SyncStatus {
  const { sync } = useServices();
  const [status, setStatus] = useState(() => sync.getStatus());
  useEffect(() => sync.subscribe(setStatus), [sync]);
  return status;
}

/** A number that changes whenever the outbox does (for effects that re-read it). */
export function useOutboxVersion(): number {
  const { outbox } = useServices();
  const [version, setVersion] = useState(0);
  useEffect(() => outbox.onChange(() => setVersion((v) => v + 1)), [outbox]);
  return version;
}

/** Outbox counts for the signed-in user, live. */
export function useOutboxCounts(): OutboxCounts | null {
  const { outbox, auth } = useServices();
  const [counts, setCounts] = useState<OutboxCounts | null>(null);
  const version = useOutboxVersion();
  useEffect(() => {
    let live = true;
    void outbox.counts(auth.user()?.id).then((c) => {
      if (live) setCounts(c);
    });
    return () => {
      live = false;
    };
  }, [outbox, auth, version]);
  return counts;
}

/**
 * Asks `load` again while a screen shows a saved copy because its last load failed (`failures`
 * counts failed loads since the last good one; 0 = live) and the phone says it is online: 2 s
 * after a failure, then less often (to 30 s). The first request after the network comes back can
 * still fail (the browser reports "online" before requests get through, Chromium 150 here), and a
 * counter should not have to leave the screen to see the live list.
 */
export function useRetryWhileStale(failures: number, online: boolean, load: () => unknown): void {
  const handler = useRef(load);
  handler.current = load;
  useEffect(() => {
    if (failures === 0 || !online) return;
    const delay = Math.min(30_000, 2_000 * 2 ** (failures - 1));
    const timer = setTimeout(() => void handler.current(), delay);
    return () => clearTimeout(timer);
  }, [failures, online]);
}
