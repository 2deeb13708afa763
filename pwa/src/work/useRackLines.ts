import type { RackLine } from '@stockverify/shared';
import { useEffect, useState } from 'react';
import { useOnline } from '../app/hooks';
import { useServices } from '../app/context';

/**
 * What the server holds for a rack, from every phone (issue #14): a counter taking over a rack
 * sees what is already counted there. Refreshed when `version` (this phone's outbox) changes or
 * the network returns; offline the last answer stays.
 */
export function useRackLines(sessionId: string, rack: string, version: number): RackLine[] {
  const { api } = useServices();
  const online = useOnline();
  const [lines, setLines] = useState<RackLine[]>([]);
  useEffect(() => {
    if (!online) return;
    let live = true;
    api.rackLines(sessionId, rack).then(
      (list) => live && setLines(list),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, sessionId, rack, online, version]);
  return lines;
}
