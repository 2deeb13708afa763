import type { StaffSession } from '../api/staff-api';

/** Where the staff app is. Kept in memory; an active claim brings a reload back to its rack. */
export type Route =
  | { name: 'sessions' }
  | { name: 'racks'; session: StaffSession }
  | { name: 'scan'; session: StaffSession; rack: string }
  | { name: 'sync' }
  | { name: 'settings' };
