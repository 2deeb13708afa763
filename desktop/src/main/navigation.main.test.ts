import { describe, expect, it, vi } from 'vitest';
import {
  APP_ORIGIN,
  installNavigationGuards,
  isAllowedNavigation,
  originOf,
} from './navigation.main';
import type { GuardedWebContents } from './navigation.main';

const ALLOWED = [APP_ORIGIN, 'https://good.example'];

describe('isAllowedNavigation', () => {
  it.each([
    ['app://renderer/index.html'],
    ['app://renderer/'],
    ['APP://RENDERER/index.html#/sessions'],
    ['https://good.example/path?q=1'],
    ['https://GOOD.EXAMPLE/upper-case-host'],
    ['https://good.example:443/default-port'],
  ])('allows %s', (url) => {
    expect(isAllowedNavigation(url, ALLOWED)).toBe(true);
  });

  it.each([
    ['https://evil.com#app://renderer', 'fragment that mentions an allowed origin'],
    ['https://evil.com/?next=https://good.example', 'query that mentions an allowed origin'],
    ['app://renderer.evil.com/index.html', 'allowed host as a prefix of another host'],
    ['https://good.example.evil.com/', 'allowed host as a subdomain prefix'],
    ['https://evilgood.example/', 'allowed host as a suffix'],
    ['https://good.example@evil.com/', 'userinfo that looks like the allowed host'],
    ['https://good.example:8443/', 'different port'],
    ['http://good.example/', 'different scheme'],
    ['javascript:alert(1)', 'javascript: URL'],
    ['JaVaScRiPt:alert(1)', 'mixed-case javascript: URL'],
    ['data:text/html,<script>alert(1)</script>', 'data: URL'],
    ['file:///etc/passwd', 'file: URL'],
    ['about:blank', 'about:blank'],
    ['app://renderer@evil.com/', 'userinfo on the app scheme'],
    ['not a url', 'garbage'],
    ['', 'empty string'],
  ])('refuses %s (%s)', (url) => {
    expect(isAllowedNavigation(url, ALLOWED)).toBe(false);
  });

  it('refuses everything with an empty allow-list', () => {
    expect(isAllowedNavigation('app://renderer/index.html', [])).toBe(false);
  });

  it('computes origins for custom schemes that Node reports as null', () => {
    expect(originOf('app://Renderer/x/y')).toBe('app://renderer');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('javascript:void(0)')).toBeNull();
  });
});

type Listener = (event: { preventDefault(): void }, url: string) => void;

function fakeWebContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  const contents: GuardedWebContents = {
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler) {
      openHandler = handler;
    },
  };
  return {
    contents,
    /** Emits `event` and reports whether any listener called preventDefault. */
    emit(event: string, url: string): boolean {
      const preventDefault = vi.fn();
      for (const listener of listeners.get(event) ?? []) listener({ preventDefault }, url);
      return preventDefault.mock.calls.length > 0;
    },
    openWindow(url: string) {
      if (openHandler === null) throw new Error('no window open handler installed');
      return openHandler({ url });
    },
  };
}

describe('installNavigationGuards', () => {
  it('blocks navigation and redirects away from the renderer and lets the renderer reload', () => {
    const fake = fakeWebContents();
    installNavigationGuards(fake.contents);

    expect(fake.emit('will-navigate', 'https://evil.com/')).toBe(true);
    expect(fake.emit('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fake.emit('will-redirect', 'https://evil.com/')).toBe(true);
    expect(fake.emit('will-navigate', 'app://renderer.evil.com/')).toBe(true);
    expect(fake.emit('will-navigate', 'app://renderer/index.html')).toBe(false);
  });

  it('refuses to attach any <webview>', () => {
    const fake = fakeWebContents();
    installNavigationGuards(fake.contents);
    expect(fake.emit('will-attach-webview', 'app://renderer/index.html')).toBe(true);
  });

  it('denies every window.open and never opens links without an allow-list', () => {
    const openExternal = vi.fn(async () => undefined);
    const fake = fakeWebContents();
    installNavigationGuards(fake.contents, { openExternal });

    expect(fake.openWindow('https://good.example/')).toEqual({ action: 'deny' });
    expect(fake.openWindow('app://renderer/index.html')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('opens allow-listed https links in the system browser, and nothing else', () => {
    const openExternal = vi.fn(async () => undefined);
    const fake = fakeWebContents();
    installNavigationGuards(fake.contents, {
      externalOrigins: ['https://docs.example', 'http://plain.example'],
      openExternal,
    });

    expect(fake.openWindow('https://docs.example/guide')).toEqual({ action: 'deny' });
    fake.openWindow('https://docs.example@evil.com/');
    fake.openWindow('https://docs.example.evil.com/');
    fake.openWindow('http://plain.example/');
    fake.openWindow('javascript:alert(1)');

    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(openExternal).toHaveBeenCalledWith('https://docs.example/guide');
  });
});
