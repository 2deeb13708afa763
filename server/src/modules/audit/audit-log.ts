import { randomUUID } from 'node:crypto';
import type { AuditEntry, Store } from '../../ports/store';
import type { Actor, RequestMeta } from '../../lib/request-context';

export type { Actor, RequestMeta };

export interface AuditTarget {
  type: string;
  id: string | null;
}

export type AuditLog = ReturnType<typeof createAuditLog>;

/** Appends audit entries (design §4: every mutation and auth event). */
export function createAuditLog(store: Store, clock: () => Date) {
  return {
    async record(
      actor: Actor | null,
      meta: RequestMeta,
      action: string,
      target: AuditTarget | null,
      summary: Record<string, unknown> | null = null,
    ): Promise<void> {
      const entry: AuditEntry = {
        id: randomUUID(),
        at: clock().toISOString(),
        actor_id: actor?.id ?? null,
        actor_username: actor?.username ?? null,
        actor_role: actor?.role ?? null,
        action,
        target_type: target?.type ?? null,
        target_id: target?.id ?? null,
        summary,
        request_id: meta.request_id,
        ip: meta.ip,
      };
      await store.audit.append(entry);
    },
  };
}
