import type { StreamState } from '../watchtower/useLiveEvents';
import { BinsPanel } from './BinsPanel';
import { LateCountsPanel } from './LateCountsPanel';
import { RecountQueuePanel } from './RecountQueuePanel';

/**
 * The session's Recounts tab (issue #16 item 4): the recount task queue, the bins with late counts
 * nobody acknowledged, and the bins waiting for a supervisor, all kept current by the session page's subscription to the live events
 * (`useRecountTick`: `tick` grows when an event may have changed them).
 */
export function RecountsTab({
  sessionId,
  warehouse,
  tick,
  stream,
}: {
  sessionId: string;
  warehouse: string | null;
  tick: number;
  stream: StreamState;
}) {
  return (
    <div className="stack">
      <RecountQueuePanel sessionId={sessionId} warehouse={warehouse} tick={tick} stream={stream} />
      <LateCountsPanel sessionId={sessionId} tick={tick} />
      <BinsPanel sessionId={sessionId} tick={tick} />
    </div>
  );
}
