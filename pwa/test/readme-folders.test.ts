/** The folder table in pwa/README.md names every folder of pwa/src, and only those (issue #15). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pwa = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('lists the folders of src as they are', () => {
  const readme = readFileSync(path.join(pwa, 'README.md'), 'utf8');
  const listed = [...readme.matchAll(/^\| `(src\/[^`]+)\/` +\|/gm)].map((m) => m[1]).sort();
  const folders = readdirSync(path.join(pwa, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `src/${e.name}`)
    .sort();
  expect(listed).toEqual(folders);
});
