/**
 * `npm run docs:api`: rewrites the generated parts of docs/api.md (route tables and request /
 * answer shapes) from the route table in tools/api-docs/api-routes.ts and the shared zod schemas.
 * `--check` writes nothing and exits 1 when the page is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderApiDoc } from './api-docs/render';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/api.md');

const current = fs.readFileSync(FILE, 'utf8');
const next = await renderApiDoc(current, FILE);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('docs/api.md is out of date: run npm run docs:api');
    process.exit(1);
  }
  console.log('docs/api.md is up to date');
} else if (next === current) {
  console.log('docs/api.md is up to date');
} else {
  fs.writeFileSync(FILE, next);
  console.log('docs/api.md rewritten');
}
