/**
 * Camera decoders misread now and then (a smudged digit, a half-seen label). A code is accepted
 * only after `required` identical reads within `windowMs` (issue #4: two within 2 s, configurable),
 * and the same code is then not accepted again until `cooldownMs` passes while it stays in view.
 */
export interface ReadConfirmOptions {
  required: number;
  windowMs: number;
  cooldownMs: number;
}

export const DEFAULT_READ_CONFIRM: ReadConfirmOptions = {
  required: 2,
  windowMs: 2000,
  cooldownMs: 2500,
};

export class ReadConfirmer {
  private reads: Array<{ code: string; at: number }> = [];
  private accepted: { code: string; at: number } | null = null;

  constructor(private readonly options: ReadConfirmOptions = DEFAULT_READ_CONFIRM) {}

  /** Offers one decoder read; answers the code when it is now confirmed, else null. */
  offer(code: string, at: number): string | null {
    if (this.accepted?.code === code && at - this.accepted.at < this.options.cooldownMs) {
      return null;
    }
    this.reads = this.reads.filter((r) => at - r.at <= this.options.windowMs);
    this.reads.push({ code, at });
    const same = this.reads.filter((r) => r.code === code).length;
    if (same < Math.max(1, this.options.required)) return null;
    this.reads = [];
    this.accepted = { code, at };
    return code;
  }

  reset(): void {
    this.reads = [];
    this.accepted = null;
  }
}
