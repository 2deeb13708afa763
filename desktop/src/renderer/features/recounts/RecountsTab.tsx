import { useConsole } from '../../context';
import { BinsPanel } from './BinsPanel';
import { RecountQueuePanel } from './RecountQueuePanel';
import { useRecountTick } from './useLivePages';

/**
 * The session's Recounts tab (issue #16 item 4): the recount task queue and the bins waiting for
 * a supervisor, both kept current by one subscription to the session's live events.
 */
export function RecountsTab({ sessionId }: { sessionId: string }) {
  const { client } = useConsole();
  const { tick, stream } = useRecountTick(client, sessionId);
  return (
    <div className="stack">
      <RecountQueuePanel sessionId={sessionId} tick={tick} stream={stream} />
      <BinsPanel sessionId={sessionId} tick={tick} />
    </div>
  );
}
