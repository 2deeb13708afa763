/**
 * One contract and one home per rule (issue #15 points 2 and 3), checked on the source text:
 * - no answer shape the shared schemas declare is declared again in the server (the server builds
 *   its answers to the `z.infer` type, with `satisfies`), so a field renamed on one side fails the
 *   typecheck instead of drifting;
 * - the blind rule (`showsBook`) is declared only in the access policy; every other module asks it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every non-test .ts file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Names of the types `shared/src` exports (interfaces and type aliases). */
function sharedTypeNames(): Set<string> {
  const names = new Set<string>();
  for (const file of sources('shared/src')) {
    for (const m of read(file).matchAll(/^export (?:interface|type) ([A-Z]\w*)/gm)) {
      if (m[1]) names.add(m[1]);
    }
  }
  return names;
}

/**
 * Server types that share a name with a shared type but are another thing. Each says what it is;
 * anything else with a shared type's name is a redeclared answer shape.
 */
const SAME_NAME_OTHER_THING: Record<string, string> = {
  // A SQLite result row, private to the adapter.
  'server/src/adapters/store/sqlite/lines.ts VarianceRow': 'database row',
};

describe('one contract, one home per rule', () => {
  it('no shared answer shape is declared again in the server', () => {
    const shared = sharedTypeNames();
    const redeclared: string[] = [];
    for (const file of sources('server/src')) {
      // A shape written out: an interface, or a type alias of an object literal (an alias of
      // another type, `type X = Parameters<…>` or `Shared & {…}`, declares nothing new).
      const shapes = /^(?:export )?(?:interface ([A-Z]\w*)|type ([A-Z]\w*)(?:<[^=]*>)? = \{)/gm;
      for (const m of read(file).matchAll(shapes)) {
        const name = m[1] ?? m[2] ?? '';
        const key = `${file} ${name}`;
        if (shared.has(name) && !(key in SAME_NAME_OTHER_THING)) redeclared.push(key);
      }
    }
    expect(redeclared).toEqual([]);
  });

  it('the blind rule (showsBook) is declared in the access policy only', () => {
    const homes = sources('server/src').filter((file) =>
      // A declaration (`showsBook(…) {`, `showsBook: (…) =>`, a method signature), not a call
      // through an object (`access.showsBook(…)`).
      /(^|[^.\w])showsBook\s*[:(]/m.test(read(file)),
    );
    expect(homes).toEqual(['server/src/modules/access/access-policy.ts']);
  });
});
