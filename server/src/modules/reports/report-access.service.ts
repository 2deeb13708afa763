import { can, type ReportRequest } from '@stockverify/shared';
import { forbidden, notFound } from '../../lib/errors';
import type { Actor } from '../../lib/request-context';
import type { Store } from '../../ports/store';
import { warehouseForbidden, type AccessPolicy } from '../access/access-policy';

export type ReportAccessService = ReturnType<typeof createReportAccessService>;

/** Who may report on what: the audit trail is for admins, a bound supervisor sees one warehouse. */
export function createReportAccessService(store: Store, access: AccessPolicy) {
  return {
    /**
     * The request as `actor` may run it. The audit trail is admin-only data (`audit.read`),
     * whatever route shows it. A supervisor bound to a warehouse reports on that warehouse only
     * (issue #12): another warehouse or a session of one is 403 WAREHOUSE_FORBIDDEN; without a
     * warehouse filter theirs is applied.
     */
    async scope(actor: Actor, request: ReportRequest): Promise<ReportRequest> {
      if (request.type === 'audit_trail' && !can(actor.role, 'audit.read')) {
        throw forbidden('The audit trail is for admins');
      }
      const home = await access.boundTo(actor);
      if (home === null || request.type === 'audit_trail') return request;
      const { warehouse, session } = request.filters;
      if (warehouse !== undefined && warehouse !== home)
        throw warehouseForbidden(warehouse, 'filters.warehouse');
      const named = session ? await store.sessions.get(session) : null;
      if (named) await access.assertWarehouse(actor, named.warehouse, 'filters.session');
      return { ...request, filters: { ...request.filters, warehouse: home } };
    },

    /**
     * The distinct session ids of a bulk export, once each exists (404 naming the missing ones)
     * and lies in `actor`'s reach (403 on `ids.<i>`).
     */
    async sessionsToExport(actor: Actor, ids: readonly string[]): Promise<string[]> {
      const unique = [...new Set(ids)];
      const found = await Promise.all(unique.map((id) => store.sessions.get(id)));
      const missing = unique.filter((_, i) => found[i] === null);
      if (missing.length > 0) {
        throw notFound('NOT_FOUND', `No such session: ${missing.join(', ')}`, { missing });
      }
      for (const [i, session] of found.entries())
        await access.assertWarehouse(actor, session!.warehouse, `ids.${i}`);
      return unique;
    },
  };
}
