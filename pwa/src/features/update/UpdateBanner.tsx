import { useRegisterSW } from 'virtual:pwa-register/react';

/**
 * Offers a new version when the service worker has one waiting (registerType 'prompt'): the user
 * picks the moment, so a reload never lands in the middle of a count.
 */
export function UpdateBanner() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW();

  if (needRefresh) {
    return (
      <div role="status" className="banner">
        <span>A new version of Stock Verify is available.</span>
        <button type="button" onClick={() => void updateServiceWorker(true)}>
          Update now
        </button>
        <button type="button" className="secondary" onClick={() => setNeedRefresh(false)}>
          Later
        </button>
      </div>
    );
  }
  if (offlineReady) {
    return (
      <div role="status" className="banner">
        <span>Stock Verify is ready to work offline.</span>
        <button type="button" className="secondary" onClick={() => setOfflineReady(false)}>
          OK
        </button>
      </div>
    );
  }
  return null;
}
