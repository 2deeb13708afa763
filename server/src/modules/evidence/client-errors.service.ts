import { randomUUID } from 'node:crypto';
import type { ClientErrorReport } from '@stockverify/shared';
import type { Actor, RequestMeta } from '../../lib/request-context';
import type { ClientErrorRecord } from '../../ports/evidence';
import type { Store } from '../../ports/store';

type ClientErrorQuery = Parameters<Store['clientErrors']['list']>[0];

export type ClientErrorsService = ReturnType<typeof createClientErrorsService>;

/** Stores the error reports front ends send and lists them for admins (design §7). */
export function createClientErrorsService(store: Store, clock: () => Date) {
  return {
    /**
     * Stores one report; `userAgent` is the header the server saw, used when the body has none.
     * Returns the new report's id.
     */
    async report(
      body: ClientErrorReport,
      actor: Actor,
      meta: RequestMeta,
      userAgent: string | null,
    ): Promise<string> {
      const report: ClientErrorRecord = {
        id: randomUUID(),
        source: body.source,
        message: body.message,
        stack: body.stack ?? null,
        url: body.url ?? null,
        app_version: body.app_version ?? null,
        user_agent: body.user_agent ?? userAgent,
        context: body.context ?? null,
        user_id: actor.id,
        username: actor.username,
        request_id: meta.request_id,
        ip: meta.ip,
        created_at: clock().toISOString(),
      };
      await store.clientErrors.insert(report);
      return report.id;
    },
    list: (query: ClientErrorQuery) => store.clientErrors.list(query),
  };
}
