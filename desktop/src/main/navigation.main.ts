/** The origin the renderer is served from (see protocol.main.ts). */
export const APP_ORIGIN = 'app://renderer';

/**
 * The origin of `url` in `scheme://host[:port]` form, or null when it has none (`javascript:`,
 * `data:`, `file:`, unparseable input). Node's URL reports `null` for custom schemes such as
 * `app:`, which Chromium treats as standard once registered, so those are computed here.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== 'null') return parsed.origin;
  if (parsed.protocol === 'file:' || parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host.toLowerCase()}`;
}

/**
 * True only when `url` parses and its origin equals one of `allowedOrigins` exactly
 * (style "Pitfalls": a substring check is not a security check).
 */
export function isAllowedNavigation(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  if (origin === null) return false;
  return allowedOrigins.some((allowed) => originOf(allowed) === origin);
}

/** The slice of Electron's `WebContents` the guards use (injected so tests need no Electron). */
export interface GuardedWebContents {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface NavigationGuardOptions {
  /** Origins the window itself may navigate to; by default only the renderer. */
  allowedOrigins?: readonly string[];
  /** Origins whose https links may open in the system browser; empty by default. */
  externalOrigins?: readonly string[];
  openExternal?: (url: string) => Promise<void>;
}

/**
 * Blocks navigation away from the renderer, every `<webview>`, and every new window; a
 * window.open to an allow-listed https origin opens in the system browser instead.
 */
export function installNavigationGuards(
  contents: GuardedWebContents,
  options: NavigationGuardOptions = {},
): void {
  const allowed = options.allowedOrigins ?? [APP_ORIGIN];
  const external = options.externalOrigins ?? [];
  const blockUnlessAllowed = (event: { preventDefault(): void }, url: string) => {
    if (!isAllowedNavigation(url, allowed)) event.preventDefault();
  };
  contents.on('will-navigate', blockUnlessAllowed);
  contents.on('will-redirect', blockUnlessAllowed);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const isHttps = originOf(url)?.startsWith('https://') === true;
    if (options.openExternal !== undefined && isHttps && isAllowedNavigation(url, external)) {
      void options.openExternal(url).catch(() => undefined);
    }
    return { action: 'deny' };
  });
}
