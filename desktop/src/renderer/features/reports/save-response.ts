import type { Platform } from '@stockverify/shared';
import { ApiError } from '../../api/client';

/** The file name from a Content-Disposition header, or `fallback`. */
export function fileNameFrom(header: string | null, fallback: string): string {
  const match = header?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  if (!match?.[1]) return fallback;
  try {
    return decodeURIComponent(match[1]).replace(/[/\\:*?"<>|]/g, '_');
  } catch {
    return fallback;
  }
}

/** Saves a streamed export through the platform; answers what happened, for the status line. */
export async function saveResponse(
  platform: Platform,
  response: Response,
  fallbackName: string,
  kind: 'xlsx' | 'csv',
): Promise<string> {
  if (!response.ok) {
    let message = `The server answered HTTP ${response.status}.`;
    let code = 'ERROR';
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      message = body.error?.message ?? message;
      code = body.error?.code ?? code;
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, code, message);
  }
  let name = fileNameFrom(response.headers.get('content-disposition'), fallbackName);
  if (!name.toLowerCase().endsWith(`.${kind}`)) name = `${name}.${kind}`;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const result = await platform.saveFile({ suggestedName: name, kind, bytes });
  if (!result.saved) return 'Not saved.';
  return result.path ? `Saved ${result.path}.` : `Downloaded ${name}.`;
}
