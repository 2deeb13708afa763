import { useEffect, useRef, useState } from 'react';
import { useServices } from '../../app/context';
import { IdleTimer } from '../../auth/idle-timer';

const WARN_MS = 60_000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

/** Signs out after the configured idle time, warning a minute before (issue #4). */
export function IdleGuard({ onTimeout }: { onTimeout: () => void }) {
  const { settings } = useServices();
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const timer = useRef<IdleTimer | null>(null);

  useEffect(() => {
    const idle = new IdleTimer({
      timeoutMs: settings.idleLogoutMinutes * 60_000,
      warnMs: Math.min(WARN_MS, settings.idleLogoutMinutes * 30_000),
      onWarn: (s) => setSecondsLeft(s),
      onTimeout: () => {
        setSecondsLeft(null);
        onTimeout();
      },
    });
    timer.current = idle;
    const activity = () => {
      setSecondsLeft(null);
      idle.activity();
    };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, activity, { passive: true });
    idle.activity();
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, activity);
      idle.stop();
    };
  }, [settings.idleLogoutMinutes, onTimeout]);

  if (secondsLeft === null) return null;
  return (
    <div role="alertdialog" aria-labelledby="idle-title" className="banner warning">
      <span id="idle-title">
        No activity for a while: you will be signed out in about {secondsLeft} s. Your counts stay
        saved on this phone.
      </span>
      <button type="button" onClick={() => timer.current?.activity()}>
        Stay signed in
      </button>
    </div>
  );
}
