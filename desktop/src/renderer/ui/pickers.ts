import { sessionPageSchema, userDirectorySchema } from '@stockverify/shared';
import type { ApiClient } from '../api/client';
import type { PickerOption } from './SearchPicker';

/** People by name through `GET /users/directory` (supervisors and admins). */
export function searchUsers(client: ApiClient) {
  return async (q: string): Promise<PickerOption[]> => {
    const found = await client.read(userDirectorySchema, '/users/directory', {
      q: q || undefined,
      limit: 20,
    });
    return found.items.map((u) => ({
      id: u.id,
      label: u.full_name ? `${u.full_name} (${u.username})` : u.username,
      detail: [u.role, u.warehouse].filter(Boolean).join(' · '),
    }));
  };
}

/** Sessions by name through `GET /sessions?q=`, newest first. */
export function searchSessions(client: ApiClient) {
  return async (q: string): Promise<PickerOption[]> => {
    const found = await client.read(sessionPageSchema, '/sessions', {
      q: q || undefined,
      page_size: 20,
      sort: '-created_at',
    });
    return found.items.map((s) => ({
      id: s.id,
      label: s.name,
      detail: `${s.warehouse} · ${s.status.toLowerCase()} · ${s.created_at.slice(0, 10)}`,
    }));
  };
}
