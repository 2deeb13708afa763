/// <reference lib="webworker" />
import type { ReportTotals } from '@stockverify/shared';
import { runReportJob } from './report-job';
import { reportPages } from './report-pages';
import type {
  ReportWorkerMessage,
  ReportWorkerRequest,
  ReportWorkerToken,
} from './report-worker-protocol';

// Off the UI thread (issue #5): fetches every page and writes the file; the page only sees
// progress messages and, at the end, the bytes (transferred, not copied).
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: ReportWorkerMessage, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer);

let tokenWaiter: ((token: string) => void) | null = null;

/** Asks the page for a new access token (the page's client refreshes it). */
const renewToken = () =>
  new Promise<string>((resolve) => {
    tokenWaiter = resolve;
    post({ kind: 'token-needed' });
  });

scope.onmessage = async (event: MessageEvent<ReportWorkerRequest | ReportWorkerToken>) => {
  if ('kind' in event.data) {
    tokenWaiter?.(event.data.token);
    tokenWaiter = null;
    return;
  }
  const job = event.data;
  const chunks: Uint8Array[] = [];
  let apiTotals: ReportTotals | null = null;
  try {
    const result = await runReportJob({
      format: job.format,
      title: job.title,
      sheetName: job.title,
      columns: job.columns,
      summary: job.summary,
      pages: reportPages({
        baseUrl: job.baseUrl,
        token: job.token,
        renewToken,
        request: job.request,
        onFirstPage: (page) => {
          apiTotals = page.totals;
        },
      }),
      onChunk: (chunk) => chunks.push(chunk),
      onProgress: ({ rows, total }) => post({ kind: 'progress', rows, total }),
    });
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    post({ kind: 'done', bytes, result, apiTotals }, [bytes.buffer]);
  } catch (error) {
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
