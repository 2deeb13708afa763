import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';

export type Loadable<T> =
  | { state: 'loading'; value: T | null }
  | { state: 'ready'; value: T }
  | { state: 'error'; value: T | null; error: string };

/** Loads `load()` when `deps` change; `reload()` runs it again. Stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading', value: null });
  const generation = useRef(0);
  // The caller lists what `load` reads in `deps`, as with useEffect.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- deps are the caller's, checked there
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setResult((r) => ({ state: 'loading', value: r.value }));
    try {
      const value = await run();
      if (mine === generation.current) setResult({ state: 'ready', value });
    } catch (error) {
      if (mine === generation.current) {
        setResult((r) => ({ state: 'error', value: r.value, error: errorText(error) }));
      }
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return [result, reload] as const;
}

/** The current time, refreshed every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}

/** The part of `location.hash` after `#/`, split on `/`. */
export function useHashRoute(): string[] {
  const read = () =>
    window.location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
