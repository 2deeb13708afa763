import { z } from 'zod';

/** Roles in ascending order of power: staff < supervisor < admin (design §6). */
export const ROLES = ['staff', 'supervisor', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * The one permission table (design §6). Each permission names the lowest role that holds it;
 * every higher role holds it too. Routes ask `can(role, permission)`, never compare role names.
 */
export const PERMISSIONS = {
  'auth.self': 'staff',
  'items.read': 'staff',
  'locations.read': 'staff',
  'sessions.read': 'staff',
  'counting.write': 'staff',
  'photos.write': 'staff',
  'client_errors.write': 'staff',
  'sessions.manage': 'supervisor',
  'lines.review': 'supervisor',
  'conflicts.resolve': 'supervisor',
  'serials.read': 'supervisor',
  'users.unlock': 'supervisor',
  'erp.status': 'supervisor',
  'reports.read': 'supervisor',
  'monitoring.read': 'supervisor',
  'events.read': 'supervisor',
  'tolerance.manage': 'supervisor',
  'users.manage': 'admin',
  'erp.manage': 'admin',
  'system.read': 'admin',
  'audit.read': 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

const RANK: Record<Role, number> = { staff: 0, supervisor: 1, admin: 2 };

/** True when `role` is at least as powerful as `atLeast`. */
export function roleAtLeast(role: Role, atLeast: Role): boolean {
  return RANK[role] >= RANK[atLeast];
}

/** True when `role` holds `permission` according to the table above. */
export function can(role: Role, permission: Permission): boolean {
  return roleAtLeast(role, PERMISSIONS[permission]);
}
