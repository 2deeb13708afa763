/**
 * Event fan-out on Redis pub/sub (design §3): live events published by one API process reach the
 * subscribers of every process. Subscriptions share one subscriber connection, made on first use
 * (a connection in subscriber mode can run nothing else), and one SUBSCRIBE per channel.
 */
import type { Redis } from 'ioredis';
import type { Coordination, Unsubscribe } from '../../ports/coordination';
import { quit, type RedisConnection } from './redis-connection';
import { toJson } from './values';

export interface RedisEvents extends Pick<Coordination, 'publish' | 'subscribe'> {
  /** Drops every subscription and quits the subscriber connection, if one was made. */
  close(): Promise<void>;
}

interface Subscription {
  handler: (message: unknown) => void;
}

interface ChannelState {
  subscribers: Set<Subscription>;
  /** The channel's one SUBSCRIBE; settles when Redis has confirmed it. */
  subscribed: Promise<void>;
}

export function createRedisEvents(connection: RedisConnection, prefix: string): RedisEvents {
  const { client, run, onError } = connection;
  const channelKey = (channel: string) => `${prefix}channel:${channel}`;
  let subscriber: Redis | undefined;
  const channels = new Map<string, ChannelState>();

  function dispatch(channel: string, raw: string): void {
    const state = channels.get(channel);
    if (!state) return;
    for (const subscription of [...state.subscribers]) {
      // Skip anyone an earlier handler unsubscribed during this very dispatch.
      if (!state.subscribers.has(subscription)) continue;
      try {
        // A fresh parse per subscriber so one handler mutating its copy cannot affect another; a
        // throwing handler must not break the ioredis parser that called us.
        subscription.handler(JSON.parse(raw));
      } catch (error) {
        onError(error);
      }
    }
  }

  function subscriberConnection(): Redis {
    if (!subscriber) {
      subscriber = client.duplicate();
      subscriber.on('error', onError);
      subscriber.on('message', dispatch);
    }
    return subscriber;
  }

  /** Removes one subscription; true when it was the channel's last, so the caller unsubscribes. */
  function removeSubscription(name: string, subscription: Subscription): boolean {
    const state = channels.get(name);
    if (!state?.subscribers.delete(subscription) || state.subscribers.size > 0) return false;
    channels.delete(name);
    return true;
  }

  return {
    async publish(channel, message) {
      const json = toJson(message);
      await run(client, () => client.publish(channelKey(channel), json));
    },

    async subscribe(channel, handler): Promise<Unsubscribe> {
      const sub = subscriberConnection();
      const name = channelKey(channel);
      let state = channels.get(name);
      if (!state) {
        // Later subscribers await the same SUBSCRIBE, so none returns before Redis confirms it and
        // a publish right after subscribe() resolves is never missed.
        const subscribed = run(sub, () => sub.subscribe(name)).then(() => undefined);
        state = { subscribers: new Set(), subscribed };
        channels.set(name, state);
      }
      // An object per call, so the same function subscribed twice is two subscriptions.
      const subscription: Subscription = { handler };
      state.subscribers.add(subscription);
      try {
        await state.subscribed;
      } catch (error) {
        removeSubscription(name, subscription);
        throw error;
      }

      let subscribed = true;
      return async () => {
        if (!subscribed) return;
        subscribed = false;
        // Redis drops a closed connection's subscriptions itself.
        if (removeSubscription(name, subscription) && !connection.closed) {
          await run(sub, () => sub.unsubscribe(name));
        }
      };
    },

    async close() {
      channels.clear();
      if (subscriber) await quit(subscriber);
    },
  };
}
