/**
 * Keyboard-wedge scanners type a whole code in a burst (a few ms per key) and press Enter. People
 * type ten times slower. The detector buffers printable keys while they arrive fast enough and
 * hands over the code when Enter ends a fast burst; anything slower is left to ordinary inputs.
 */
export interface WedgeOptions {
  /** Largest gap between two keys of one burst. Scanners: 1–20 ms; fast typists rarely < 60 ms. */
  maxGapMs: number;
  /** Shortest code accepted (EAN-8 has 8; internal codes may be shorter). */
  minLength: number;
}

export const DEFAULT_WEDGE: WedgeOptions = { maxGapMs: 40, minLength: 4 };

/** The part of a `KeyboardEvent` the detector reads. */
export interface WedgeKey {
  key: string;
  timeStamp: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

export type WedgeVerdict =
  { kind: 'buffering' } | { kind: 'code'; code: string } | { kind: 'ignored' };

/** GS1 scanners send FNC1 as ASCII 29 (group separator); keep it so GS1 parsing sees it. */
const GROUP_SEPARATOR = '\u001d';

export class WedgeDetector {
  private buffer = '';
  private last = -Infinity;

  constructor(private readonly options: WedgeOptions = DEFAULT_WEDGE) {}

  /** Feeds one keydown; a `code` verdict means a scanner burst just ended. */
  push(event: WedgeKey): WedgeVerdict {
    if (event.ctrlKey || event.altKey || event.metaKey) {
      this.reset();
      return { kind: 'ignored' };
    }
    const gap = event.timeStamp - this.last;
    if (event.key === 'Enter' || event.key === 'Tab') {
      const code = this.buffer;
      const burst = gap <= this.options.maxGapMs * 3;
      this.reset();
      if (burst && code.trim().length >= this.options.minLength) {
        return { kind: 'code', code: code.trim() };
      }
      return { kind: 'ignored' };
    }
    const char = event.key === 'GroupSeparator' ? GROUP_SEPARATOR : event.key;
    if (char.length !== 1) return { kind: 'ignored' }; // Shift, arrows, F-keys…
    if (this.buffer.length > 0 && gap > this.options.maxGapMs) {
      // Too slow to be one burst: start over from this key (a person typing, or a new scan).
      this.buffer = '';
    }
    this.buffer += char;
    this.last = event.timeStamp;
    return { kind: 'buffering' };
  }

  /** Forgets a half-received burst. */
  reset(): void {
    this.buffer = '';
    this.last = -Infinity;
  }
}
