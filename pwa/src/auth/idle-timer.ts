/**
 * Idle sign-out (issue #4): after `timeoutMs` without a touch, key or scan the phone signs out;
 * `warnMs` before that it warns, so a counter who is still there can stay. Counting data is never
 * touched by a sign-out.
 */
export interface IdleTimerOptions {
  timeoutMs: number;
  warnMs: number;
  onWarn: (secondsLeft: number) => void;
  onTimeout: () => void;
}

export class IdleTimer {
  private warnTimer: ReturnType<typeof setTimeout> | null = null;
  private outTimer: ReturnType<typeof setTimeout> | null = null;
  private warned = false;

  constructor(private readonly options: IdleTimerOptions) {}

  /** Starts (or restarts) the countdown; call on every user activity. */
  activity(): void {
    this.stop();
    this.warned = false;
    const warnAt = Math.max(0, this.options.timeoutMs - this.options.warnMs);
    this.warnTimer = setTimeout(() => {
      this.warned = true;
      this.options.onWarn(Math.round((this.options.timeoutMs - warnAt) / 1000));
    }, warnAt);
    this.outTimer = setTimeout(() => this.options.onTimeout(), this.options.timeoutMs);
  }

  /** Whether the warning is showing. */
  isWarning(): boolean {
    return this.warned;
  }

  stop(): void {
    if (this.warnTimer) clearTimeout(this.warnTimer);
    if (this.outTimer) clearTimeout(this.outTimer);
    this.warnTimer = null;
    this.outTimer = null;
  }
}
