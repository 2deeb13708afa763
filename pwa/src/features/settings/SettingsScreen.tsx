import type { User } from '@stockverify/shared';
import { useEffect, useId, useState } from 'react';
import { useServices } from '../../app/context';
import { cameraDecoderInUse } from '../../scan/camera';

interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

const mb = (bytes: number | null) =>
  bytes === null ? '?' : `${(bytes / 1_048_576).toFixed(1)} MB`;

/** Storage (persistent storage request and estimate), idle sign-out, scanning feedback. */
export function SettingsScreen({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const id = useId();
  const services = useServices();
  const [settings, setSettings] = useState(services.settings);
  const [idleText, setIdleText] = useState(String(services.settings.idleLogoutMinutes));
  const idleMinutes = Number(idleText);
  const idleValid = Number.isInteger(idleMinutes) && idleMinutes >= 1 && idleMinutes <= 480;
  const [storage, setStorage] = useState<StorageInfo>({
    usage: null,
    quota: null,
    persisted: null,
  });

  async function readStorage() {
    const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : {};
    const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : null;
    setStorage({ usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted });
  }

  useEffect(() => {
    void readStorage();
  }, []);

  async function askPersist() {
    if (navigator.storage?.persist) await navigator.storage.persist();
    await readStorage();
  }

  async function update(patch: Partial<typeof settings>) {
    setSettings(await services.saveSettings(patch));
  }

  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Settings</h1>
      <div className="card">
        <h2>This phone</h2>
        <p>
          Signed in as <strong>{user.full_name}</strong> ({user.username}, {user.role})
        </p>
        <p className="muted">Device id: {services.deviceId}</p>
        <p className="muted" data-testid="camera-decoder">
          Camera decoder: {cameraDecoderInUse() ?? 'not started yet'}
        </p>
        <p data-testid="storage">
          Storage used {mb(storage.usage)} of {mb(storage.quota)}.{' '}
          {storage.persisted === true
            ? 'Storage is persistent: the browser will not clear it on its own.'
            : storage.persisted === false
              ? 'Storage is not persistent yet: the browser may clear it when space runs low.'
              : ''}
        </p>
        {storage.persisted === false && (
          <button type="button" onClick={() => void askPersist()}>
            Keep data on this phone
          </button>
        )}
      </div>
      <div className="card">
        <h2>Counting</h2>
        <label htmlFor={`${id}-idle`}>Sign out after minutes without use</label>
        <input
          id={`${id}-idle`}
          type="number"
          min={1}
          max={480}
          value={idleText}
          aria-invalid={!idleValid}
          aria-describedby={idleValid ? undefined : `${id}-idle-error`}
          onChange={(e) => {
            setIdleText(e.target.value);
            const minutes = Number(e.target.value);
            if (Number.isInteger(minutes) && minutes >= 1 && minutes <= 480)
              void update({ idleLogoutMinutes: minutes });
          }}
        />
        {!idleValid && (
          <p id={`${id}-idle-error`} className="field-error">
            Enter whole minutes from 1 to 480; {settings.idleLogoutMinutes} minutes still applies.
          </p>
        )}
        <label htmlFor={`${id}-reads`}>Identical camera reads before a code is accepted</label>
        <select
          id={`${id}-reads`}
          value={settings.confirmReads}
          onChange={(e) => void update({ confirmReads: Number(e.target.value) })}
        >
          <option value={1}>1 (fastest)</option>
          <option value={2}>2 (recommended)</option>
          <option value={3}>3 (most careful)</option>
        </select>
        <label className="choice">
          <input
            type="checkbox"
            checked={settings.sound}
            onChange={(e) => void update({ sound: e.target.checked })}
          />
          Beep on scan
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={settings.vibrate}
            onChange={(e) => void update({ vibrate: e.target.checked })}
          />
          Vibrate on scan
        </label>
      </div>
      <button type="button" className="secondary" onClick={onSignOut}>
        Sign out
      </button>
    </section>
  );
}
