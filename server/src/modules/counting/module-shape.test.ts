/**
 * The counting module stays split by job (issue #15 "big files with several jobs"): its files
 * import one another one way only (no cycle, type-only imports included), and none grows back
 * into a file of several jobs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = path.dirname(fileURLToPath(import.meta.url));
/** About what one job takes here; a file past it likely holds two. */
const MAX_LINES = 350;

const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const text = (file: string) => readFileSync(path.join(DIR, file), 'utf8');

/** Which files of this folder each file imports (`from './x'`). */
function localImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = [...text(file).matchAll(/from '\.\/([\w.-]+)'/g)].map((m) => `${m[1]!}.ts`);
    graph.set(file, targets);
  }
  return graph;
}

/** The first import cycle found, as the files along it, or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('the counting module', () => {
  it('has no import cycle between its files', () => {
    const graph = localImports();
    expect(graph.get('counting.service.ts')).toContain('line-write.ts');
    expect(findCycle(graph)).toBeNull();
  });

  it('finds a cycle where there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it(`keeps every file under ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: text(file).split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
