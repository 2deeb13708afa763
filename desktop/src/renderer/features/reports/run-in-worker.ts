import type {
  ReportWorkerMessage,
  ReportWorkerRequest,
  ReportWorkerToken,
} from './report-worker-protocol';

export interface WorkerJob {
  done: Promise<Extract<ReportWorkerMessage, { kind: 'done' }>>;
  /** Stops the worker at once; `done` rejects with "cancelled". */
  cancel(): void;
}

/** Starts a report in a Web Worker; progress goes to `onProgress`. */
export function startReportWorker(
  request: ReportWorkerRequest,
  onProgress: (rows: number, total: number | null) => void,
  /** A fresh access token when the worker's expired. */
  renewToken: () => Promise<string>,
): WorkerJob {
  const worker = new Worker(new URL('./report.worker.ts', import.meta.url), { type: 'module' });
  let settle: { reject(error: Error): void } | null = null;
  const done = new Promise<Extract<ReportWorkerMessage, { kind: 'done' }>>((resolve, reject) => {
    settle = { reject };
    worker.onmessage = (event: MessageEvent<ReportWorkerMessage>) => {
      const message = event.data;
      if (message.kind === 'progress') onProgress(message.rows, message.total);
      else if (message.kind === 'token-needed') {
        void renewToken()
          .catch(() => '')
          .then((token) =>
            worker.postMessage({ kind: 'token', token } satisfies ReportWorkerToken),
          );
      } else if (message.kind === 'done') {
        worker.terminate();
        resolve(message);
      } else {
        worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'The report worker failed.'));
    };
  });
  worker.postMessage(request);
  return {
    done,
    cancel() {
      worker.terminate();
      settle?.reject(new Error('cancelled'));
    },
  };
}
