/** Photos are shrunk on the phone before they are stored: a 12 MP shot becomes ~150 KB. */
export const PHOTO_MAX_EDGE = 1280;
export const PHOTO_QUALITY = 0.72;

/** The scaled size that fits `maxEdge`, keeping the aspect ratio (never enlarging). */
export function fitWithin(width: number, height: number, maxEdge = PHOTO_MAX_EDGE) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** Re-encodes an image file as a JPEG no larger than `PHOTO_MAX_EDGE` on its long edge. */
export async function compressPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const size = fitWithin(bitmap.width, bitmap.height);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot process photos.');
  context.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  return canvas.convertToBlob({ type: 'image/jpeg', quality: PHOTO_QUALITY });
}
