import { SAVE_FILE_KINDS } from '@stockverify/shared';
import type { SaveFileRequest, SaveFileResult } from '@stockverify/shared';
import { join } from 'node:path';

/** The slice of Electron's `dialog` used here. */
export interface SaveDialogLike {
  showSaveDialog(options: {
    title: string;
    defaultPath: string;
    filters: Array<{ name: string; extensions: string[] }>;
    properties: Array<'createDirectory' | 'showOverwriteConfirmation'>;
  }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface SaveFileDeps {
  dialog: SaveDialogLike;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Where the dialog opens (the user's Downloads or Documents folder). */
  defaultDir: string;
}

/**
 * Saves a report the renderer generated: asks where with the native dialog (already validated
 * request), adds the extension when the user typed a name without it, writes the bytes.
 */
export async function saveReportFile(
  request: SaveFileRequest,
  { dialog, writeFile, defaultDir }: SaveFileDeps,
): Promise<SaveFileResult> {
  const answer = await dialog.showSaveDialog({
    title: 'Save report',
    defaultPath: join(defaultDir, request.suggestedName),
    filters: [{ name: SAVE_FILE_KINDS[request.kind], extensions: [request.kind] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (answer.canceled || answer.filePath === undefined || answer.filePath === '') {
    return { saved: false };
  }
  const extension = `.${request.kind}`;
  const path = answer.filePath.toLowerCase().endsWith(extension)
    ? answer.filePath
    : `${answer.filePath}${extension}`;
  await writeFile(path, request.bytes);
  return { saved: true, path };
}
