/**
 * Tolerance rule table port (issue #16 item 1, docs/design.md §12). The table is kept as a list of
 * versions, each the whole rule set after one change; a version is written once and never changed,
 * so a session that names the version it started with always finds the rules it ran on. The store
 * only keeps versions and refuses a version number already taken; what a change does (and the
 * hash) is the service's business (modules/tolerance).
 */
import type { ToleranceChange, ToleranceRule } from '@stockverify/shared';
import type { Paged } from './store';

/** One version of the rule table as stored. */
export interface ToleranceVersionRecord {
  /** 1, 2, 3, … with no gap: version n + 1 is written only on top of version n. */
  version: number;
  /** `ruleSetHash(rules)`. */
  hash: string;
  /** When it came into force (ISO). */
  taken_at: string;
  /** The whole table at this version, by id. */
  rules: ToleranceRule[];
  change: ToleranceChange;
  rule_id: string | null;
  rule_version: number | null;
  changed_by: string | null;
  changed_by_name: string | null;
}

/** A version without its rules (the versions list). */
export type ToleranceVersionSummary = Omit<ToleranceVersionRecord, 'rules'> & {
  rules_count: number;
};

export interface ToleranceRepo {
  /** The newest version, or null before the first one is written. */
  current(): Promise<ToleranceVersionRecord | null>;
  get(version: number): Promise<ToleranceVersionRecord | null>;
  /** Newest first. */
  versions(query: { page: number; page_size: number }): Promise<Paged<ToleranceVersionSummary>>;
  /**
   * Writes a new version. False (and nothing written) when that version number is already taken:
   * another change got there first, and the caller reads the newest version again.
   */
  append(record: ToleranceVersionRecord): Promise<boolean>;
}
