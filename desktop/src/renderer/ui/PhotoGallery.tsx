import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import { useModal } from './use-modal';

/** One evidence photo as the console holds it: an object URL, missing on the server, or failed. */
export type PhotoState =
  | { id: string; state: 'loading' }
  | { id: string; state: 'ready'; url: string; type: string }
  | { id: string; state: 'missing' }
  | { id: string; state: 'error'; message: string };

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
};

/**
 * Loads photos by id with the console's client (they need the bearer token, so an <img src> to the
 * API cannot show them) and hands out object URLs, revoked when the ids change or on unmount. A
 * 404 means the phone has not uploaded the photo yet.
 */
export function usePhotos(client: ApiClient, ids: readonly string[]): PhotoState[] {
  const key = ids.join(',');
  const [photos, setPhotos] = useState<PhotoState[]>(() =>
    ids.map((id) => ({ id, state: 'loading' })),
  );
  useEffect(() => {
    const list = key ? key.split(',') : [];
    let live = true;
    const urls: string[] = [];
    setPhotos(list.map((id) => ({ id, state: 'loading' })));
    const put = (next: PhotoState) =>
      live && setPhotos((all) => all.map((p) => (p.id === next.id ? next : p)));
    for (const id of list) {
      void (async () => {
        try {
          const response = await client.raw(`/photos/${encodeURIComponent(id)}`);
          if (response.status === 404) return put({ id, state: 'missing' });
          if (!response.ok) {
            return put({ id, state: 'error', message: `the server answered ${response.status}` });
          }
          const blob = await response.blob();
          const url = URL.createObjectURL(blob);
          if (!live) return URL.revokeObjectURL(url);
          urls.push(url);
          put({ id, state: 'ready', url, type: blob.type });
        } catch (e) {
          put({ id, state: 'error', message: e instanceof Error ? e.message : String(e) });
        }
      })();
    }
    return () => {
      live = false;
      for (const url of urls) URL.revokeObjectURL(url);
    };
  }, [client, key]);
  return photos;
}

function fileName(photo: { id: string; type: string }): string {
  return `photo-${photo.id}.${EXTENSIONS[photo.type] ?? 'img'}`;
}

/** Thumbnails; each opens the full-size viewer. Photos not on the server yet are named as such. */
export function PhotoGallery({ photos, label }: { photos: PhotoState[]; label: string }) {
  const [open, setOpen] = useState<number | null>(null);
  const thumbs = useRef<Array<HTMLButtonElement | null>>([]);
  if (photos.length === 0) return <p className="hint">No photos on this line.</p>;
  const ready = photos.filter(
    (p): p is Extract<PhotoState, { state: 'ready' }> => p.state === 'ready',
  );
  return (
    <>
      <ul className="photo-thumbs" aria-label={label}>
        {photos.map((photo, n) => (
          <li key={photo.id}>
            {photo.state === 'ready' ? (
              <button
                type="button"
                className="photo-thumb"
                ref={(el) => {
                  thumbs.current[n] = el;
                }}
                aria-label={`Open photo ${n + 1} of ${photos.length} full size`}
                onClick={() => setOpen(ready.indexOf(photo))}
              >
                <img src={photo.url} alt={`Photo ${n + 1}`} />
              </button>
            ) : (
              <span className="photo-thumb photo-placeholder" data-photo-state={photo.state}>
                Photo {n + 1}:{' '}
                {photo.state === 'loading'
                  ? 'loading…'
                  : photo.state === 'missing'
                    ? 'not uploaded yet'
                    : `could not load (${photo.message})`}
              </span>
            )}
          </li>
        ))}
      </ul>
      {open !== null && ready[open] && (
        <PhotoViewer
          photos={ready}
          index={open}
          onMove={setOpen}
          onClose={() => {
            const back = photos.indexOf(ready[open]!);
            setOpen(null);
            setTimeout(() => thumbs.current[back]?.focus(), 0);
          }}
        />
      )}
    </>
  );
}

/** The full-size viewer: a modal dialog; Escape closes it, ← and → move, Download saves. */
export function PhotoViewer({
  photos,
  index,
  onMove,
  onClose,
}: {
  photos: Array<Extract<PhotoState, { state: 'ready' }>>;
  index: number;
  onMove(index: number): void;
  onClose(): void;
}) {
  const ref = useModal();
  const photo = photos[index]!;
  const move = (by: number) => onMove((index + by + photos.length) % photos.length);
  return (
    <dialog
      ref={ref}
      className="photo-viewer"
      aria-label={`Photo ${index + 1} of ${photos.length}`}
      onCancel={(e) => {
        // React bubbles cancel through the component tree: the drawer around must stay open.
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'ArrowRight') {
          e.preventDefault();
          move(1);
        } else if (e.key === 'ArrowLeft') {
          e.preventDefault();
          move(-1);
        }
      }}
    >
      <img src={photo.url} alt={`Photo ${index + 1} of ${photos.length}, full size`} />
      <div className="toolbar">
        <button type="button" disabled={photos.length < 2} onClick={() => move(-1)}>
          ← Previous
        </button>
        <span>
          {index + 1} / {photos.length}
        </span>
        <button type="button" disabled={photos.length < 2} onClick={() => move(1)}>
          Next →
        </button>
        <a className="button" href={photo.url} download={fileName(photo)}>
          Download
        </a>
        <button type="button" className="secondary" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
