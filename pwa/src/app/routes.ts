import type { StaffSession } from '../api/staff-api';

/** Where the staff app is. Kept in memory; an active claim brings a reload back to its rack. */
export type Route =
  | { name: 'sessions' }
  | { name: 'racks'; session: StaffSession }
  | { name: 'scan'; session: StaffSession; rack: string }
  /** A recount task (issue #16); `from` is the rack screen it was opened from, else the racks. */
  | { name: 'recount'; session: StaffSession; taskId: string; from: string | null }
  | { name: 'sync' }
  | { name: 'settings' };
