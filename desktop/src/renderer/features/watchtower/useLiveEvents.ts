import { LIVE_EVENT_TYPES, liveEventSchema } from '@stockverify/shared';
import type { LiveEvent } from '@stockverify/shared';
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * Subscribes to `GET /events` (EventSource cannot send headers, so the access token goes in the
 * query, api.md). On an error the stream is reopened with the client's current token, which the
 * client refreshes as other calls need it.
 */
export function useLiveEvents(client: ApiClient, onEvent: (event: LiveEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const open = async () => {
      if (closed) return;
      // Make sure the token is fresh before it goes into a long-lived URL.
      await client.get('/auth/me').catch(() => undefined);
      if (closed) return;
      const url = `${client.baseUrl}/api/events?access_token=${encodeURIComponent(client.token ?? '')}`;
      source = new EventSource(url);
      source.onopen = () => setState('live');
      source.onerror = () => {
        source?.close();
        setState('reconnecting');
        retry = setTimeout(() => void open(), 3000);
      };
      for (const type of LIVE_EVENT_TYPES) {
        source.addEventListener(type, (message) => {
          try {
            handler.current(
              liveEventSchema.parse(JSON.parse((message as MessageEvent<string>).data)),
            );
          } catch {
            // a malformed event is skipped, not fatal
          }
        });
      }
    };
    void open();
    return () => {
      closed = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [client]);

  return state;
}
