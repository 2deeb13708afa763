import { randomUUID } from 'node:crypto';
import { DeviceDb } from '../../src/db/device-db';
import { ItemDb } from '../../src/db/item-db';

/** A device database with a unique name, so tests never share state. */
export function freshDeviceDb(): DeviceDb {
  return new DeviceDb(`test-device-${randomUUID()}`);
}

/** An item database with a unique name. */
export function freshItemDb(): ItemDb {
  return new ItemDb(`test-items-${randomUUID()}`);
}
