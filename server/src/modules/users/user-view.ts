import type { User } from '@stockverify/shared';
import type { UserRecord } from '../../ports/store';
import { lockStatus } from '../auth/lockout';

/** A stored user as clients may see it: no hashes, no failure history. */
export function toUser(record: UserRecord, now: Date): User {
  return {
    id: record.id,
    username: record.username,
    full_name: record.full_name,
    role: record.role,
    warehouse: record.warehouse,
    active: record.active,
    has_pin: record.pin_hash !== null,
    locked: lockStatus(record, now).locked,
    created_at: record.created_at,
    updated_at: record.updated_at,
    last_login_at: record.last_login_at,
  };
}
