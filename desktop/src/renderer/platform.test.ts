import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserPlatform } from './platform';

/** Just enough of a window for the browser platform: anchors, body, Notification. */
function fakeWindow(notification?: { permission: string }) {
  const clicked: Array<{ href: string; download: string; rel: string }> = [];
  const shown: Array<[string, { body: string }]> = [];
  const anchor = () => {
    const a = {
      href: '',
      download: '',
      rel: '',
      click: () => clicked.push({ href: a.href, download: a.download, rel: a.rel }),
      remove: vi.fn(),
    };
    return a;
  };
  const Notification = notification
    ? Object.assign(
        function (this: unknown, title: string, options: { body: string }) {
          shown.push([title, options]);
        },
        { permission: notification.permission },
      )
    : undefined;
  const win = {
    document: { createElement: vi.fn(anchor), body: { append: vi.fn() } },
    ...(Notification ? { Notification } : {}),
  } as unknown as Window;
  return { win, clicked, shown };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('createBrowserPlatform', () => {
  it('saves a file as a download of a blob URL with the suggested name', async () => {
    vi.useFakeTimers();
    const created: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob);
      return 'blob:console/1';
    });
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const { win, clicked } = fakeWindow();
    const platform = createBrowserPlatform(win);

    const result = await platform.saveFile({
      suggestedName: 'variance-2026-11-29.xlsx',
      kind: 'xlsx',
      bytes: new Uint8Array([80, 75, 3, 4]),
    });

    expect(result).toEqual({ saved: true, path: null });
    expect(clicked).toEqual([
      { href: 'blob:console/1', download: 'variance-2026-11-29.xlsx', rel: 'noopener' },
    ]);
    expect(created[0]!.type).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(created[0]!.size).toBe(4);
    expect(revoke).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(revoke).toHaveBeenCalledWith('blob:console/1');
  });

  it('never persists secrets: memory only, and says so', async () => {
    const platform = createBrowserPlatform(fakeWindow().win);
    await expect(platform.secrets.canPersist()).resolves.toBe(false);
    await platform.secrets.set('refresh_token', 'rt');
    await expect(platform.secrets.get('refresh_token')).resolves.toBe('rt');
    await platform.secrets.delete('refresh_token');
    await expect(platform.secrets.get('refresh_token')).resolves.toBeNull();
    // A second platform (a reload) starts empty.
    await platform.secrets.set('refresh_token', 'rt');
    await expect(
      createBrowserPlatform(fakeWindow().win).secrets.get('refresh_token'),
    ).resolves.toBeNull();
  });

  it('notifies only when the user granted notifications', async () => {
    const granted = fakeWindow({ permission: 'granted' });
    await expect(
      createBrowserPlatform(granted.win).notify({ title: 'Lock lost', body: 'A-01' }),
    ).resolves.toBe(true);
    expect(granted.shown).toEqual([['Lock lost', { body: 'A-01' }]]);
    const denied = fakeWindow({ permission: 'default' });
    await expect(createBrowserPlatform(denied.win).notify({ title: 'x' })).resolves.toBe(false);
    expect(denied.shown).toEqual([]);
    await expect(createBrowserPlatform(fakeWindow().win).notify({ title: 'x' })).resolves.toBe(
      false,
    );
  });

  it('reports itself as the browser platform', async () => {
    const platform = createBrowserPlatform(fakeWindow().win);
    expect(platform.kind).toBe('browser');
    await expect(platform.appVersion()).resolves.toMatch(/.+/);
  });
});
