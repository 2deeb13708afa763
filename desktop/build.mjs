// Bundles the Electron main process and preload (workspace packages inlined, `electron` left to the
// runtime) and writes the minimal package.json electron-builder packages (style "Pitfalls").
// The renderer is built separately by `vite build` into dist/renderer.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const ELECTRON_TARGET = 'node22'; // Electron 45 ships Node 22

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: ELECTRON_TARGET,
  external: ['electron'],
  sourcemap: true,
  logLevel: 'info',
};

await Promise.all([
  build({
    ...common,
    entryPoints: [here('./src/main/index.main.ts')],
    outfile: here('./dist/main/index.js'),
  }),
  build({
    ...common,
    // Sandboxed preloads cannot load other files: everything must be in this one bundle.
    entryPoints: [here('./src/preload/index.preload.ts')],
    outfile: here('./dist/preload/index.js'),
  }),
]);

// electron-builder's app directory: no dependencies, so nothing from the workspace's node_modules
// is copied into the package; everything the app runs is already in the bundles above.
const pkg = JSON.parse(await readFile(here('./package.json'), 'utf8'));
const appPackage = { name: 'stockverify-console', version: pkg.version, main: 'main/index.js' };
await writeFile(here('./dist/package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
console.log(`wrote dist/package.json (${appPackage.name} ${appPackage.version})`);
