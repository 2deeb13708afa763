import { can } from '@stockverify/shared';
import type { Permission } from '@stockverify/shared';
import { useState } from 'react';
import { useConsole } from '../../context';
import { AuditBrowser, ClientErrors } from './LogsPanels';
import { ErpPanel } from './ErpPanel';
import { HealthPanel } from './HealthPanel';
import { PhoneQr } from './PhoneQr';
import { UsersPanel } from './UsersPanel';

// Each section shows when the shared RBAC table lets the user read what it lists.
const SECTIONS = [
  ['users', 'Users', 'users.unlock'],
  ['erp', 'Item master (ERP)', 'erp.status'],
  ['health', 'System health', 'system.read'],
  ['audit', 'Audit trail', 'audit.read'],
  ['errors', 'Client errors', 'system.read'],
  ['phones', 'Phones', 'sessions.manage'],
] as const satisfies ReadonlyArray<readonly [string, string, Permission]>;
type Section = (typeof SECTIONS)[number][0];

/** Admin: users, ERP import and status, health, audit trail, client errors, the phone QR code. */
export function AdminScreen({ initial }: { initial?: string }) {
  const { user } = useConsole();
  const allowed = SECTIONS.filter(([, , permission]) => can(user.role, permission));
  // `#/admin/<section>` opens that section (links from the first-run guide, issue #14).
  const [section, setSection] = useState<Section>(
    allowed.find(([key]) => key === initial)?.[0] ?? 'users',
  );
  return (
    <div className="stack">
      <div role="tablist" aria-label="Admin" className="tabs">
        {allowed.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={section === key}
            onClick={() => setSection(key)}
          >
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {section === 'users' && <UsersPanel />}
        {section === 'erp' && <ErpPanel />}
        {section === 'health' && <HealthPanel />}
        {section === 'audit' && <AuditBrowser />}
        {section === 'errors' && <ClientErrors />}
        {section === 'phones' && <PhoneQr />}
      </div>
    </div>
  );
}
