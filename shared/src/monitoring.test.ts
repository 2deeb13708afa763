import { describe, expect, it } from 'vitest';
import { overallStatus } from './monitoring';

describe('overall system status', () => {
  it('is down without the store, degraded without Redis or the ERP, ok otherwise', () => {
    const up = { ok: true };
    const down = { ok: false };
    expect(overallStatus({ store: up, coordination: up, erp: up })).toBe('ok');
    expect(overallStatus({ store: up, coordination: down, erp: up })).toBe('degraded');
    expect(overallStatus({ store: up, coordination: up, erp: down })).toBe('degraded');
    expect(overallStatus({ store: down, coordination: up, erp: up })).toBe('down');
  });
});
