import { can, sessionPageSchema, userDirectorySchema } from '@stockverify/shared';
import { readErpStatus } from '../../api/erp';
import { useConsole } from '../../context';
import { useLoad } from '../../ui/hooks';

interface Facts {
  items: number | null;
  staff: number;
  sessions: number;
}

/**
 * What to do first (issue #14 "First-run guidance"): while there is no session or no staff
 * account, the console lists the steps to a first count, each a link to its screen, with the ones
 * already done ticked. Hidden once both exist.
 */
export function FirstRunGuide() {
  const { client, user } = useConsole();
  const [facts] = useLoad<Facts>(async () => {
    const [sessions, staff, erp] = await Promise.all([
      client.read(sessionPageSchema, '/sessions', { page_size: 1 }),
      client.read(userDirectorySchema, '/users/directory', { role: 'staff', limit: 1 }),
      can(user.role, 'erp.status')
        ? readErpStatus(client).catch(() => null)
        : Promise.resolve(null),
    ]);
    return {
      items: erp ? erp.item_count : null,
      staff: staff.items.length,
      sessions: sessions.total,
    };
  }, [client, user.role]);
  const f = facts.value;
  if (!f || (f.sessions > 0 && f.staff > 0)) return null;
  const steps = [
    {
      done: f.items !== null && f.items > 0,
      href: '#/admin/erp',
      link: f.items ? 'Check the item master' : 'Import the item master',
      why:
        f.items === null
          ? 'the items and book quantities counters will count against.'
          : f.items > 0
            ? `${f.items.toLocaleString()} items are loaded; check they are today's.`
            : 'no items are loaded yet: import a CSV or Excel file, or connect the ERP.',
    },
    {
      done: f.staff > 0,
      href: '#/admin/users',
      link: 'Create staff accounts',
      why: f.staff > 0 ? 'counters can sign in.' : 'no counter can sign in yet.',
    },
    {
      done: f.sessions > 0,
      href: '#/sessions',
      link: 'Create a count session',
      why: 'choose the warehouse, the racks and blind, standard or strict counting.',
    },
    {
      done: false,
      href: '#/admin/phones',
      link: 'Show phones the QR code',
      why: 'counters scan it to open the staff app on this server.',
    },
  ];
  return (
    <section className="panel first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Getting started</h2>
      <p>
        {f.sessions === 0 && f.staff === 0
          ? 'There are no count sessions and no staff accounts yet.'
          : f.sessions === 0
            ? 'There are no count sessions yet.'
            : 'There are no staff accounts yet.'}{' '}
        To run a first count:
      </p>
      <ol>
        {steps.map((step) => (
          <li key={step.href} data-done={step.done}>
            <a href={step.href}>{step.link}</a>
            {step.done && <span className="badge"> done</span>} — {step.why}
          </li>
        ))}
      </ol>
    </section>
  );
}
