import { useId, useState } from 'react';
import { compressPhoto } from '../../photos/compress';
import type { NewPhoto } from '../../outbox/outbox';

/** Evidence photos from the camera, compressed on the phone before they are stored. */
export function PhotoPicker({
  photos,
  onChange,
}: {
  photos: NewPhoto[];
  onChange: (photos: NewPhoto[]) => void;
}) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);

  async function add(files: FileList | null) {
    if (!files) return;
    setError(null);
    const added: NewPhoto[] = [];
    for (const file of Array.from(files)) {
      try {
        const blob = await compressPhoto(file);
        added.push({ id: crypto.randomUUID(), blob, content_type: 'image/jpeg' });
      } catch {
        setError(`${file.name} could not be read as a photo.`);
      }
    }
    onChange([...photos, ...added].slice(0, 20));
  }

  return (
    <div className="photos">
      <label htmlFor={id}>Photos ({photos.length})</label>
      <input
        id={id}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        onChange={(e) => void add(e.target.files)}
      />
      {photos.length > 0 && (
        <ul className="plain thumbs">
          {photos.map((photo, i) => (
            <li key={photo.id}>
              Photo {i + 1} · {Math.round(photo.blob.size / 1024)} KB{' '}
              <button
                type="button"
                className="link"
                onClick={() => onChange(photos.filter((p) => p.id !== photo.id))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
