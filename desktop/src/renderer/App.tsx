import { useEffect, useState } from 'react';
import { ConnectionPanel } from './features/connection/ConnectionPanel';
import { nativePlatform } from './platform';

/** The supervisor console shell: title, where it runs, and the server connection. */
export function App() {
  const [runtime, setRuntime] = useState('Browser');

  useEffect(() => {
    const platform = nativePlatform();
    if (platform === null) return;
    let live = true;
    platform
      .appVersion()
      .then((version) => live && setRuntime(`Desktop app ${version}`))
      .catch(() => live && setRuntime('Desktop app'));
    return () => {
      live = false;
    };
  }, []);

  return (
    <>
      <header className="app-header">
        <h1>Stock Verify — Supervisor console</h1>
        <span className="runtime">{runtime}</span>
      </header>
      <main>
        <ConnectionPanel />
      </main>
    </>
  );
}
