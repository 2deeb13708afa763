// Entry of the item-master import worker (import-worker.ts). The sources are TypeScript run by
// tsx (npm start) or vitest, and a worker thread inherits neither's loader: tsx loads it here.
import { tsImport } from 'tsx/esm/api';

await tsImport('./import.worker.ts', import.meta.url);
