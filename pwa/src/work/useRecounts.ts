import type { LineRecount } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { useOnline, useOutboxVersion } from '../app/hooks';
import { useServices } from '../app/context';

/** How often an open screen asks for new recount tasks (about a heartbeat). */
const POLL_MS = 25_000;

/**
 * The recounts a supervisor asked of this counter in a session (issue #14), kept fresh while the
 * screen is open and online; tasks this phone already answered (a queued count superseding the
 * line) drop out at once, before the server hears of it.
 */
export function useRecounts(sessionId: string, rack?: string): LineRecount[] {
  const { api, outbox } = useServices();
  const online = useOnline();
  const version = useOutboxVersion();
  const [tasks, setTasks] = useState<LineRecount[]>([]);
  const [answered, setAnswered] = useState<Set<string>>(new Set());

  useEffect(() => {
    if (!online) return;
    let live = true;
    const load = () =>
      api.recounts(sessionId).then(
        (list) => live && setTasks(list),
        () => undefined, // Offline or refused: the last list stays.
      );
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, sessionId, online, version]);

  useEffect(() => {
    let live = true;
    void outbox.sessionSupersedes(sessionId).then((ops) => live && setAnswered(ops));
    return () => {
      live = false;
    };
  }, [outbox, sessionId, version]);

  return tasks.filter((t) => !answered.has(t.op_id) && (rack === undefined || t.rack === rack));
}
