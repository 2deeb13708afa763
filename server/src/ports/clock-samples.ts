/**
 * Device clock samples (issue #17, docs/design.md §13): every sync request is one — the phone's
 * clock when it sent it and the server's when it arrived, and, when the phone reports the answer's
 * round trip on its next request, when the server answered and when the phone got the answer (a
 * two-way sample). The expected-at-count service estimates each device's clock from them. Also the
 * one read of count lines that service needs and no other repo offers: an item's lines in a session.
 */
import type { CountLineRecord } from './counting';

/**
 * Samples are kept per user and device: a phone's clock is estimated from the requests of the user
 * whose lines it carried, so nobody can move another counter's clock by sending their device id.
 */
export interface ClockKey {
  user_id: string;
  device_id: string;
}

export interface StoredClockSample extends ClockKey {
  client_sent_at: string;
  server_received_at: string;
  /** When the server answered the request (its `clock.server_sent_at`). */
  server_sent_at: string;
  /** When the answer reached the phone, as it reported it later: null until then (one-way). */
  client_received_at: string | null;
}

/**
 * Samples kept per user and device: the newest 2,000 (a phone syncing every 15 s through an 8-hour day).
 * Older ones only widen the bounds of older counts (design §13: near samples dominate).
 */
export const CLOCK_SAMPLES_PER_DEVICE = 2_000;

export interface ClockSampleRepo {
  /**
   * Stores a one-way sample (`client_received_at` null); the same device and `server_received_at`
   * again is left as it is. Keeps the newest CLOCK_SAMPLES_PER_DEVICE per user and device.
   */
  record(sample: Omit<StoredClockSample, 'client_received_at'>): Promise<void>;
  /**
   * Makes a stored one-way sample two-way: only when user, device, `client_sent_at`,
   * `server_received_at` and `server_sent_at` all match a stored sample without a round trip (a
   * phone cannot invent server times). False when none matched.
   */
  completeRoundTrip(sample: StoredClockSample & { client_received_at: string }): Promise<boolean>;
  /** The samples of these users' devices, oldest first (by `server_received_at`). */
  list(keys: readonly ClockKey[]): Promise<StoredClockSample[]>;
}

export interface ItemLineReads {
  /** Lines of one item in a session that count (not superseded, rejected or candidate), at most `limit`, oldest first. */
  ofItem(sessionId: string, itemCode: string, limit: number): Promise<CountLineRecord[]>;
}
