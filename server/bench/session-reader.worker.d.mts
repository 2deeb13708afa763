/** The reads of bench:session (session-reader.worker.mjs), typed for session.bench.ts. */
export interface ReaderRead {
  name: string;
  method: string;
  url: string;
  /** The access token itself ('' for none). */
  token: string;
  body?: unknown;
}

export interface ReaderStats {
  ms: number[];
  bytes: number;
  errors: number;
  statuses: Record<string, number>;
}

export function runReads(options: {
  base: string;
  reads: ReaderRead[];
  until: number;
  readers: number;
}): Promise<Array<[string, ReaderStats]>>;
