/**
 * Device clocks (issue #17, docs/design.md §13): each sync request carries the phone's clock when
 * it was sent, the server notes when it arrived. From those samples this estimates each device's
 * offset (server − device) as an interval, NTP-style, and maps a line's `counted_at` (phone clock)
 * to the interval of server time [earliest, latest] in which the count certainly happened.
 *
 * Model (all times in integer milliseconds):
 * - A request sent at server time t arrives at t + d, d ≥ 0, so `r − c` (receive − client clock)
 *   is an upper bound of the offset at that moment: θ ≤ r − c. The fastest request bounds it best.
 * - Lower bound: a two-way sample (the phone also reports when it got the answer) gives θ ≥ s − a
 *   with no assumption. One-way samples need one: at least one request on the same clock had a
 *   one-way delay ≤ `maxDelayMs`, so θ ≥ min(r − c) − maxDelayMs.
 * - Drift: θ changes by at most `driftPpm` (millionths) of elapsed time, so a sample taken at t_j
 *   bounds θ at t widened by ρ·|t − t_j|. Near samples dominate; far ones barely matter.
 * - Steps: a clock set by hand or by the network makes `r − c` jump. Any jump beyond a segment's
 *   bounds by more than `stepMs` starts a new segment; the lines carried by a segment's first
 *   request are not placed (they may predate the step). A segment is inconsistent when two-way
 *   bounds cross its one-way ones (its lines are not placed).
 * - One-way samples cannot tell a clock set back from requests that got slow for a while (nor a
 *   clock set forward from earlier requests that were all slow): `r − c` jumps the same. Segments
 *   joined by jumps no two-way sample proves form a chain, and each takes the chain's lowest lower
 *   bound (upper bounds hold on any clock: r − c ≥ θ always).
 */
import { z } from 'zod';
import { isoInstantSchema } from '../envelope';
import {
  MovementInputError,
  instantSchema,
  iso,
  ms,
  option,
  parseInput,
  plainInstantMs,
} from './input';

/** One sync request of one device. */
export const clockSampleSchema = z
  .strictObject({
    /** The phone's clock when it sent the request. */
    client_sent_at: isoInstantSchema,
    /** The server's clock when the request arrived (taken first thing, before the body is read). */
    server_received_at: isoInstantSchema,
    /** Two-way sample (optional): the server's clock when it answered that request… */
    server_sent_at: isoInstantSchema.optional(),
    /** …and the phone's clock when the answer arrived (reported with a later request). */
    client_received_at: isoInstantSchema.optional(),
  })
  .refine((s) => (s.server_sent_at === undefined) === (s.client_received_at === undefined), {
    message: 'server_sent_at and client_received_at come together (a two-way sample) or not at all',
    path: ['client_received_at'],
  });
export type ClockSample = z.input<typeof clockSampleSchema>;

export interface ClockOptions {
  /** One-way delay of the device's fastest request in a segment (default 2,000 ms). */
  maxDelayMs?: number;
  /** Largest drift of a phone's clock, in millionths of elapsed time (default 500 = 1.8 s/h). */
  driftPpm?: number;
  /** Smallest jump of `r − c` taken as the clock being set, not delay or drift (default 10 s). */
  stepMs?: number;
}

export const DEFAULT_CLOCK_OPTIONS = Object.freeze({
  maxDelayMs: 2_000,
  driftPpm: 500,
  stepMs: 10_000,
});

interface Sample {
  /** Server receive time. */
  t: number;
  /** Upper bound of the offset: r − c. */
  hi: number;
  /** Lower bound from a two-way sample: s − a. */
  lo: number | null;
}

/** One stretch of time in which the device's clock ran without being set. */
export interface ClockSegment {
  /** Server time of its first and last sample. */
  from: string;
  to: string;
  samples: number;
  /** Offset (server − device) bounds at `from`, in ms. */
  offset_low_ms: number;
  offset_high_ms: number;
  /** A sample contradicted the model (a clock set forward and back): its counts are not placed. */
  inconsistent: boolean;
}

/** What is known of one device's clock. */
export interface DeviceClock {
  segments: ClockSegment[];
  options: Required<ClockOptions>;
  /** @internal the bounds' prefix/suffix envelopes, one per segment. */
  readonly envelopes: readonly Envelope[];
}

/**
 * Cones of the samples, precomputed so a bound at any t costs a binary search: with ρ the drift,
 * min_j(hi_j + ρ|t − t_j|) is min(prefix-min of (hi_j − ρt_j) + ρt, suffix-min of (hi_j + ρt_j) − ρt).
 */
interface Envelope {
  t: number[];
  /** for U: prefix min of hi − ρt; suffix min of hi + ρt. */
  uPre: number[];
  uSuf: number[];
  /** for min(hi − ρ|Δ|): prefix min of hi + ρt; suffix min of hi − ρt. */
  mPre: number[];
  mSuf: number[];
  /** for two-way: prefix max of lo + ρt; suffix max of lo − ρt (−∞ when none). */
  lPre: number[];
  lSuf: number[];
  rho: number;
  maxDelay: number;
  inconsistent: boolean;
  /**
   * Neighbouring segments whose lower bound also holds here: across a jump no two-way sample
   * proved, the jump may be slow requests rather than a step, so both readings stay inside.
   */
  lowAlso: Envelope[];
}

function envelope(samples: readonly Sample[], rho: number, maxDelay: number): Envelope {
  const n = samples.length;
  const e: Envelope = {
    t: samples.map((s) => s.t),
    uPre: new Array<number>(n),
    uSuf: new Array<number>(n),
    mPre: new Array<number>(n),
    mSuf: new Array<number>(n),
    lPre: new Array<number>(n),
    lSuf: new Array<number>(n),
    rho,
    maxDelay,
    inconsistent: false,
    lowAlso: [],
  };
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    const lo = s.lo === null ? -Infinity : s.lo + rho * s.t;
    e.uPre[i] = Math.min(i > 0 ? e.uPre[i - 1]! : Infinity, s.hi - rho * s.t);
    e.mPre[i] = Math.min(i > 0 ? e.mPre[i - 1]! : Infinity, s.hi + rho * s.t);
    e.lPre[i] = Math.max(i > 0 ? e.lPre[i - 1]! : -Infinity, lo);
  }
  for (let i = n - 1; i >= 0; i--) {
    const s = samples[i]!;
    const lo = s.lo === null ? -Infinity : s.lo - rho * s.t;
    e.uSuf[i] = Math.min(i < n - 1 ? e.uSuf[i + 1]! : Infinity, s.hi + rho * s.t);
    e.mSuf[i] = Math.min(i < n - 1 ? e.mSuf[i + 1]! : Infinity, s.hi - rho * s.t);
    e.lSuf[i] = Math.max(i < n - 1 ? e.lSuf[i + 1]! : -Infinity, lo);
  }
  return e;
}

/** Index of the last sample at or before t (−1 when none). */
function lastAtOrBefore(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Offset bounds (server − device) at server time t, in fractional ms. */
function boundsAt(e: Envelope, t: number): { low: number; high: number } {
  const own = ownBounds(e, t);
  return {
    low: e.lowAlso.reduce((m, o) => Math.min(m, ownBounds(o, t).low), own.low),
    high: own.high,
  };
}

/** A segment's bounds from its own samples only. */
function ownBounds(e: Envelope, t: number): { low: number; high: number } {
  const i = lastAtOrBefore(e.t, t);
  const left = i >= 0;
  const right = i + 1 < e.t.length;
  const rt = e.rho * t;
  const high = Math.min(left ? e.uPre[i]! + rt : Infinity, right ? e.uSuf[i + 1]! - rt : Infinity);
  const fastest = Math.min(
    left ? e.mPre[i]! - rt : Infinity,
    right ? e.mSuf[i + 1]! + rt : Infinity,
  );
  const twoWay = Math.max(
    left ? e.lPre[i]! - rt : -Infinity,
    right ? e.lSuf[i + 1]! + rt : -Infinity,
  );
  return { low: Math.max(fastest - e.maxDelay, twoWay), high };
}

/** Running bounds of a segment whose samples arrive in time order (its prefix envelopes). */
class Running {
  private u = Infinity;
  private m = Infinity;
  private l = -Infinity;
  readonly samples: Sample[] = [];
  constructor(
    private readonly rho: number,
    private readonly maxDelay: number,
    /** How the segment began: the first sample, or `r − c` jumping up or down. */
    readonly cause: 'start' | 'up' | 'down' = 'start',
  ) {}
  add(s: Sample): void {
    this.samples.push(s);
    this.u = Math.min(this.u, s.hi - this.rho * s.t);
    this.m = Math.min(this.m, s.hi + this.rho * s.t);
    if (s.lo !== null) this.l = Math.max(this.l, s.lo + this.rho * s.t);
  }
  /** Bounds at a time at or after every sample added. */
  at(t: number): { low: number; high: number } {
    const rt = this.rho * t;
    return { low: Math.max(this.m - rt - this.maxDelay, this.l - rt), high: this.u + rt };
  }
}

/**
 * Splits a device's samples (sorted by server time) where `r − c` leaves the current segment's
 * bounds by more than `stepMs`, either way: the clock was set, or requests were slow (above), or
 * the earlier ones were (below). One-way samples cannot tell which, so every such jump starts a
 * segment, and the reading is left to the bounds: across a jump no two-way sample proves, the
 * lower bound is both segments' (see `estimateDeviceClock`), and the lines carried by a
 * segment's first request are not placed (`clock_step`).
 */
function segmentSamples(samples: readonly Sample[], o: Required<ClockOptions>): Running[] {
  const rho = o.driftPpm / 1e6;
  const out: Running[] = [];
  let cur = new Running(rho, o.maxDelayMs);
  for (const s of samples) {
    if (cur.samples.length > 0) {
      const b = cur.at(s.t);
      const side =
        s.hi > b.high + o.stepMs || (s.lo !== null && s.lo > b.high)
          ? 1
          : s.hi < b.low - o.stepMs
            ? -1
            : 0;
      if (side !== 0) {
        out.push(cur);
        cur = new Running(rho, o.maxDelayMs, side > 0 ? 'up' : 'down');
      }
    }
    cur.add(s);
  }
  if (cur.samples.length > 0) out.push(cur);
  return out;
}

const SAMPLE_KEYS = new Set([
  'client_sent_at',
  'server_received_at',
  'server_sent_at',
  'client_received_at',
]);

/** The common one-way sample without the schema's cost (it is the hot loop); null = use the schema. */
function fastSample(raw: unknown): Sample | null {
  if (raw === null || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  for (const k in o)
    if (!SAMPLE_KEYS.has(k) || k === 'server_sent_at' || k === 'client_received_at') return null;
  const c = plainInstantMs(o.client_sent_at);
  const r = plainInstantMs(o.server_received_at);
  return Number.isFinite(c) && Number.isFinite(r) ? { t: r, hi: r - c, lo: null } : null;
}

function slowSample(raw: unknown, i: number): Sample {
  const s = parseInput(clockSampleSchema, raw, `samples.${i}`);
  const r = ms(s.server_received_at);
  const two = s.server_sent_at !== undefined && s.client_received_at !== undefined;
  if (two && ms(s.server_sent_at!) < r) {
    throw new MovementInputError(
      'MOVEMENTS_BAD_INPUT',
      `samples.${i}.server_sent_at`,
      'the server answered before the request arrived',
    );
  }
  return {
    t: r,
    hi: r - ms(s.client_sent_at),
    lo: two ? ms(s.server_sent_at!) - ms(s.client_received_at!) : null,
  };
}

/**
 * A two-way sample proves a step between two segments when its lower bound lies above what the
 * other segment allows at that moment: the offset certainly changed (upper bounds are unaffected
 * by the unions, so this reads them as they are).
 */
function stepProven(
  a: Envelope,
  b: Envelope,
  aSamples: readonly Sample[],
  bSamples: readonly Sample[],
): boolean {
  const above = (samples: readonly Sample[], other: Envelope) =>
    samples.some((s) => s.lo !== null && s.lo > boundsAt(other, s.t).high);
  return above(aSamples, b) || above(bSamples, a);
}

function parseOptions(options: ClockOptions | undefined): Required<ClockOptions> {
  const o = options ?? {};
  return {
    maxDelayMs: option(
      o.maxDelayMs,
      DEFAULT_CLOCK_OPTIONS.maxDelayMs,
      'options.maxDelayMs',
      3_600_000,
    ),
    driftPpm: option(o.driftPpm, DEFAULT_CLOCK_OPTIONS.driftPpm, 'options.driftPpm', 100_000),
    stepMs: option(o.stepMs, DEFAULT_CLOCK_OPTIONS.stepMs, 'options.stepMs', 86_400_000),
  };
}

/**
 * Estimates one device's clock from its sync requests (any order; duplicates are harmless). Throws
 * {@link MovementInputError} (code, field path) on a bad sample or option.
 */
export function estimateDeviceClock(
  samples: readonly ClockSample[],
  options?: ClockOptions,
): DeviceClock {
  const o = parseOptions(options);
  if (!Array.isArray(samples)) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'samples', 'an array of clock samples');
  }
  const parsed: Sample[] = samples.map((raw, i) => fastSample(raw) ?? slowSample(raw, i));
  parsed.sort((a, b) => a.t - b.t || a.hi - b.hi);
  const rho = o.driftPpm / 1e6;
  const segs = segmentSamples(parsed, o);
  const envelopes: Envelope[] = [];
  // Segments joined by jumps no two-way sample proves form a chain: the jumps may be slow requests,
  // so the fast request the lower bound rests on may sit in any segment of it — each segment's
  // lower bound is the chain's lowest. Upper bounds stay the segment's own (r − c ≥ θ on any clock).
  let chain: Envelope[] = [];
  segs.forEach((seg, k) => {
    const e = envelope(seg.samples, rho, o.maxDelayMs);
    const prev = envelopes[k - 1];
    if (prev !== undefined && stepProven(prev, e, segs[k - 1]!.samples, seg.samples)) chain = [];
    for (const other of chain) {
      other.lowAlso.push(e);
      e.lowAlso.push(other);
    }
    chain.push(e);
    envelopes.push(e);
  });
  envelopes.forEach((e, k) => {
    // Two-way bounds can cross the one-way ones only if the model is broken.
    for (const s of segs[k]!.samples) {
      const b = boundsAt(e, s.t);
      if (b.low > b.high + 1) e.inconsistent = true;
    }
  });
  return {
    segments: segs.map(({ samples: seg }, k) => {
      const e = envelopes[k]!;
      const b = boundsAt(e, seg[0]!.t);
      return {
        from: iso(seg[0]!.t),
        to: iso(seg[seg.length - 1]!.t),
        samples: seg.length,
        offset_low_ms: Math.floor(b.low),
        offset_high_ms: Math.ceil(b.high),
        inconsistent: e.inconsistent,
      };
    }),
    options: o,
    envelopes,
  };
}

/**
 * How a count's moment was placed: `ok`; `unestimated` (the device sent no clock samples),
 * `clock_step` (the count may predate a setting of the clock), `clock_inconsistent` (the samples
 * or the line contradict the model). Anything but `ok` leaves `earliest` open (null).
 */
export const CLOCK_STATUSES = ['ok', 'unestimated', 'clock_step', 'clock_inconsistent'] as const;
export type ClockStatus = (typeof CLOCK_STATUSES)[number];

/** The server-time interval in which a count happened; `earliest` null = unbounded. */
export interface CountInterval {
  earliest: string | null;
  latest: string;
  status: ClockStatus;
}

export const countIntervalSchema = z.strictObject({
  earliest: instantSchema.nullable(),
  latest: instantSchema,
  status: z.enum(CLOCK_STATUSES),
});

const countTimeSchema = z.object({
  /** The line's `counted_at` (phone clock). */
  counted_at: isoInstantSchema,
  /** The server's clock when the line arrived: the count happened before it, whatever the clock. */
  received_at: isoInstantSchema,
});

/**
 * Maps a line's `counted_at` to server time. The line's `received_at` picks the clock segment (the
 * request that carried it) and caps `latest` (a count happens before the server receives it).
 * Bounds are rounded outward to whole ms, and 1 ms more for `counted_at`'s own rounding.
 */
export function countInterval(
  clock: DeviceClock | null,
  line: { counted_at: string; received_at: string },
): CountInterval {
  let c = plainInstantMs((line as Partial<typeof line> | null)?.counted_at);
  let received = plainInstantMs((line as Partial<typeof line> | null)?.received_at);
  if (!Number.isFinite(c) || !Number.isFinite(received)) {
    const l = parseInput(countTimeSchema, line, 'line');
    c = ms(l.counted_at);
    received = ms(l.received_at);
  }
  const open = (status: ClockStatus): CountInterval => ({
    earliest: null,
    latest: iso(received),
    status,
  });
  if (clock === null || clock.envelopes.length === 0) return open('unestimated');
  const envs = clock.envelopes;
  // The segment of the request that carried the line: the last that began at or before it.
  let k = 0;
  while (k + 1 < envs.length && envs[k + 1]!.t[0]! <= received) k++;
  const e = envs[k]!;
  if (e.inconsistent) return open('clock_inconsistent');
  // Fixed points of t = c + bound(t): bounds move by ρ per ms, so a few rounds converge.
  let early = c + boundsAt(e, received).low;
  let late = c + boundsAt(e, received).high;
  for (let i = 0; i < 4; i++) {
    early = c + boundsAt(e, early).low;
    late = c + boundsAt(e, late).high;
  }
  const earliest = Math.floor(early) - 1;
  const latest = Math.min(Math.ceil(late) + 1, received);
  if (earliest > received) return open('clock_inconsistent');
  if (k > 0 && earliest < e.t[0]!) return open('clock_step');
  return { earliest: iso(earliest), latest: iso(latest), status: 'ok' };
}

/** Offset bounds (server − device, ms) of a device at a server instant: for display and tests. */
export function offsetAt(clock: DeviceClock, at: string): { low_ms: number; high_ms: number } {
  const t = ms(parseInput(isoInstantSchema, at, 'at'));
  const envs = clock.envelopes;
  if (envs.length === 0) {
    throw new MovementInputError('MOVEMENTS_BAD_INPUT', 'clock', 'the device sent no samples');
  }
  let k = 0;
  while (k + 1 < envs.length && envs[k + 1]!.t[0]! <= t) k++;
  const b = boundsAt(envs[k]!, t);
  return { low_ms: Math.floor(b.low), high_ms: Math.ceil(b.high) };
}

/** Per device: groups samples by `device_id` and estimates each device's clock. */
export function estimateClocks(
  samples: readonly (ClockSample & { device_id: string })[],
  options?: ClockOptions,
): Map<string, DeviceClock> {
  const byDevice = new Map<string, ClockSample[]>();
  samples.forEach((s, i) => {
    const id: unknown = (s as { device_id?: unknown }).device_id;
    if (typeof id !== 'string' || id.trim() === '') {
      throw new MovementInputError('MOVEMENTS_BAD_INPUT', `samples.${i}.device_id`, 'required');
    }
    const { device_id: _ignored, ...rest } = s;
    const list = byDevice.get(id) ?? [];
    list.push(rest);
    byDevice.set(id, list);
  });
  const out = new Map<string, DeviceClock>();
  for (const [id, list] of byDevice) out.set(id, estimateDeviceClock(list, options));
  return out;
}
