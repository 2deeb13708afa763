import { useState } from 'react';
import { useConsole } from '../../context';
import { AuditBrowser, ClientErrors } from './LogsPanels';
import { ErpPanel } from './ErpPanel';
import { HealthPanel } from './HealthPanel';
import { PhoneQr } from './PhoneQr';
import { UsersPanel } from './UsersPanel';

const SECTIONS = [
  ['users', 'Users', 'supervisor'],
  ['erp', 'Item master (ERP)', 'supervisor'],
  ['health', 'System health', 'admin'],
  ['audit', 'Audit trail', 'supervisor'],
  ['errors', 'Client errors', 'admin'],
  ['phones', 'Phones', 'supervisor'],
] as const;
type Section = (typeof SECTIONS)[number][0];

/** Admin: users, ERP import and status, health, audit trail, client errors, the phone QR code. */
export function AdminScreen() {
  const { user } = useConsole();
  const [section, setSection] = useState<Section>('users');
  const allowed = SECTIONS.filter(([, , role]) => role === 'supervisor' || user.role === 'admin');
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
