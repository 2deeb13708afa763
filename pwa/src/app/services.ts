import { AuthStore } from '../auth/auth-store';
import { createHttpTransport, createStaffApi } from '../api/staff-api';
import { DEFAULT_SETTINGS, DeviceDb } from '../db/device-db';
import type { PhoneSettings } from '../db/device-db';
import { ItemDb } from '../db/item-db';
import { Outbox } from '../outbox/outbox';
import { SyncEngine } from '../sync/sync-engine';
import { RecountTaskStore } from '../work/recount-tasks';

/** Everything the screens share: one instance of each for the life of the page. */
export interface Services {
  deviceDb: DeviceDb;
  itemDb: ItemDb;
  outbox: Outbox;
  /** Recount tasks kept on the phone (issue #16). */
  recountTasks: RecountTaskStore;
  auth: AuthStore;
  api: ReturnType<typeof createStaffApi>;
  sync: SyncEngine;
  deviceId: string;
  settings: PhoneSettings;
  saveSettings(patch: Partial<PhoneSettings>): Promise<PhoneSettings>;
}

async function deviceIdOf(db: DeviceDb): Promise<string> {
  const row = await db.meta.get('device_id');
  if (row?.key === 'device_id') return row.value;
  const id = `phone-${crypto.randomUUID()}`;
  await db.meta.put({ key: 'device_id', value: id });
  return id;
}

/** Opens the databases and builds the services; reloads when another tab upgrades the schema. */
export async function createServices(): Promise<Services> {
  const deviceDb = new DeviceDb();
  const itemDb = new ItemDb();
  // style "Front ends": a newer version of the app in another tab upgrades the schema; this
  // (older) page must not keep using it, so it reloads into the new version.
  for (const db of [deviceDb, itemDb]) {
    db.on('versionchange', () => {
      db.close();
      window.location.reload();
      return false;
    });
  }
  await Promise.all([deviceDb.open(), itemDb.open()]);
  const outbox = new Outbox(deviceDb);
  const auth = new AuthStore(deviceDb);
  await auth.load();
  const deviceId = await deviceIdOf(deviceDb);
  const stored = await deviceDb.meta.get('settings');
  let settings: PhoneSettings = {
    ...DEFAULT_SETTINGS,
    ...(stored?.key === 'settings' ? stored.value : {}),
  };
  const sync = new SyncEngine({
    outbox,
    transport: createHttpTransport(auth),
    currentUserId: () => auth.user()?.id ?? null,
    deviceId,
  });
  const services: Services = {
    deviceDb,
    itemDb,
    outbox,
    recountTasks: new RecountTaskStore(deviceDb),
    auth,
    api: createStaffApi(auth),
    sync,
    deviceId,
    settings,
    async saveSettings(patch) {
      settings = { ...settings, ...patch };
      services.settings = settings;
      await deviceDb.meta.put({ key: 'settings', value: settings });
      return settings;
    },
  };
  return services;
}
