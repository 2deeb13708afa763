import type { Store } from '../../ports/store';

type AuditQuery = Parameters<Store['audit']['list']>[0];

export type AuditService = ReturnType<typeof createAuditService>;

/** Reads the audit trail (the audit log in audit-log.ts writes it). */
export function createAuditService(store: Store) {
  return {
    list: (query: AuditQuery) => store.audit.list(query),
  };
}
