import { describe, expect, it } from 'vitest';
import { PERMISSIONS, can, roleAtLeast, type Permission } from './roles';

describe('RBAC table', () => {
  it('orders staff < supervisor < admin', () => {
    expect(roleAtLeast('admin', 'supervisor')).toBe(true);
    expect(roleAtLeast('supervisor', 'admin')).toBe(false);
    expect(roleAtLeast('staff', 'staff')).toBe(true);
  });
  it('grants every permission to its role and those above, never below', () => {
    for (const [permission, minimum] of Object.entries(PERMISSIONS) as Array<
      [Permission, string]
    >) {
      expect(can('admin', permission)).toBe(true);
      expect(can('supervisor', permission)).toBe(minimum !== 'admin');
      expect(can('staff', permission)).toBe(minimum === 'staff');
    }
  });
  it('keeps user management admin-only and unlock supervisor-level', () => {
    expect(can('supervisor', 'users.manage')).toBe(false);
    expect(can('supervisor', 'users.unlock')).toBe(true);
    expect(can('staff', 'users.unlock')).toBe(false);
  });
});
