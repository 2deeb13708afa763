import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { checkServerHealth } from './health';
import type { HealthResult } from './health';
import { normalizeServerUrl, suggestedServerUrl } from './server-url';

const STORAGE_KEY = 'stockverify.serverUrl';

type PanelState =
  | { kind: 'idle' }
  | { kind: 'checking'; baseUrl: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'done'; baseUrl: string; result: HealthResult };

function initialUrl(): string {
  return localStorage.getItem(STORAGE_KEY) ?? suggestedServerUrl(window.location);
}

function statusMessage(state: PanelState): { text: string; tone: 'info' | 'ok' | 'error' } | null {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'checking':
      return { text: `Contacting ${state.baseUrl}…`, tone: 'info' };
    case 'invalid':
      return { text: state.message, tone: 'error' };
    case 'done':
      return state.result.ok
        ? {
            text: `Connected to ${state.baseUrl}: the server answered in ${state.result.latencyMs} ms.`,
            tone: 'ok',
          }
        : { text: state.result.message, tone: 'error' };
  }
}

/** Server address field with a "Test connection" button that calls `/api/health`. */
export function ConnectionPanel() {
  const id = useId();
  const [address, setAddress] = useState(initialUrl);
  const [state, setState] = useState<PanelState>({ kind: 'idle' });

  async function test(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const url = normalizeServerUrl(address);
    if (!url.ok) {
      setState({ kind: 'invalid', message: url.error });
      return;
    }
    setState({ kind: 'checking', baseUrl: url.baseUrl });
    const result = await checkServerHealth(url.baseUrl);
    if (result.ok) localStorage.setItem(STORAGE_KEY, url.baseUrl);
    setState({ kind: 'done', baseUrl: url.baseUrl, result });
  }

  const message = statusMessage(state);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Server</h2>
      <form className="row" onSubmit={test} noValidate>
        <label htmlFor={`${id}-url`}>Server address</label>
        <input
          id={`${id}-url`}
          name="server-url"
          inputMode="url"
          autoComplete="url"
          spellCheck={false}
          placeholder="http://192.168.1.10:8080"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          aria-invalid={state.kind === 'invalid'}
          aria-describedby={`${id}-result`}
        />
        <button type="submit" disabled={state.kind === 'checking'}>
          Test connection
        </button>
      </form>
      <p
        id={`${id}-result`}
        role="status"
        className={message ? `result ${message.tone}` : 'result'}
      >
        {message?.text ?? ''}
      </p>
    </section>
  );
}
