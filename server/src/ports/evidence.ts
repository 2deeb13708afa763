/**
 * Store repositories for evidence and observability (design §4 photos, §7): evidence photos (bytes
 * plus metadata), client error reports from the PWA and console, and the read-only figures the
 * monitoring endpoints need. Both Store adapters implement every method.
 */
import type { ClientErrorSource } from '@stockverify/shared';
import type { Paged } from './store';

/** The image types an evidence photo may have (checked against the bytes' signature on upload). */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * True for a photo id the server could have made (a lower-case UUID). Adapters refuse anything
 * else before touching disk, so an id can never name a path outside the photo store.
 */
export function isPhotoId(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** What is known about a stored photo besides its bytes. */
export interface PhotoMeta {
  /** Server-made UUID (see isPhotoId). */
  id: string;
  content_type: PhotoContentType;
  bytes: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  uploaded_by: string;
  uploaded_by_name: string;
  uploaded_at: string;
}

export interface PhotoRepo {
  /**
   * Stores the bytes, then the metadata, so metadata never points at missing bytes. Throws for an
   * id that is not a photo id, and StoreConflictError('photo_id') when the id is taken.
   */
  save(meta: PhotoMeta, bytes: Buffer): Promise<void>;
  /** The photo with its bytes; null when unknown (or the id is not a photo id). */
  get(id: string): Promise<{ meta: PhotoMeta; bytes: Buffer } | null>;
  getMeta(id: string): Promise<PhotoMeta | null>;
  /**
   * Ids of the sessions whose count lines or unknown items name this photo (who may read a photo
   * follows who may read its sessions, issue #12). A scan: only asked for readers who are neither
   * the uploader nor unbound supervisors.
   */
  sessionsOf(id: string): Promise<string[]>;
}

export { CLIENT_ERROR_SOURCES } from '@stockverify/shared';
export type { ClientErrorSource };

/** One error report posted by a front end, with who sent it and from where (design §7). */
export interface ClientErrorRecord {
  id: string;
  source: ClientErrorSource;
  message: string;
  stack: string | null;
  url: string | null;
  app_version: string | null;
  user_agent: string | null;
  context: Record<string, unknown> | null;
  user_id: string | null;
  username: string | null;
  request_id: string | null;
  ip: string | null;
  created_at: string;
}

export interface ClientErrorQuery {
  page: number;
  page_size: number;
  source?: ClientErrorSource;
  /** Inclusive lower bound on `created_at` (ISO). */
  from?: string;
  /** Exclusive upper bound on `created_at` (ISO). */
  to?: string;
}

export interface ClientErrorRepo {
  insert(report: ClientErrorRecord): Promise<void>;
  /** Newest first (by `created_at`, then id). */
  list(query: ClientErrorQuery): Promise<Paged<ClientErrorRecord>>;
}

/** Sums over the count lines received in a window that still count (not superseded or rejected). */
export interface LineFigures {
  lines: number;
  /** Distinct `counted_by` users. */
  counters: number;
  /** Σ |variance|. */
  abs_variance: number;
  /** Σ |book_qty|. */
  abs_book: number;
  /** Σ value_at_cost (signed). */
  variance_value_at_cost: number;
}

/** Read-only figures across sessions for the monitoring endpoints (GET /admin/kpis, /metrics). */
export interface MonitoringRepo {
  /** Rack claims in `active` or `paused` status, across every session (or of `sessionIds`). */
  countOpenClaims(sessionIds?: readonly string[]): Promise<number>;
  /** Figures over lines whose `received_at` is at or after `iso`, across every session. */
  linesSince(iso: string): Promise<LineFigures>;
  /** Conflicts still OPEN, across every session (or of `sessionIds`). */
  openConflicts(sessionIds?: readonly string[]): Promise<number>;
}
