export type ServerUrlResult = { ok: true; baseUrl: string } | { ok: false; error: string };

// `host:port` would parse as scheme `host:`, so only a `scheme://` prefix counts as a scheme.
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Turns what a supervisor typed (`192.168.1.10:8080`, `https://sv.local/`) into a base URL with no
 * trailing slash; only http(s) and no embedded credentials.
 */
export function normalizeServerUrl(input: string): ServerUrlResult {
  const trimmed = input.trim();
  if (trimmed === '') {
    return { ok: false, error: 'Enter the server address, for example http://192.168.1.10:8080' };
  }
  const withScheme = HAS_SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: 'That is not a valid server address.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: 'Use an http:// or https:// address.' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, error: 'Remove the user name and password from the address.' };
  }
  return { ok: true, baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** The address to suggest: the page's own origin when the console is served by the server. */
export function suggestedServerUrl(location: { protocol: string; origin: string }): string {
  return location.protocol === 'http:' || location.protocol === 'https:'
    ? location.origin
    : 'http://localhost:8080';
}
