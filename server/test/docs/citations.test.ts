/**
 * Every citation in the code and docs resolves inside the repository (issues #11, #15): whoever
 * clones the project has docs/design.md, docs/api.md, docs/style.md and docs/history.md, and
 * nothing points at the design folder that used to sit beside the checkout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TEXT = /\.(ts|tsx|js|mjs|cjs|md|json|yml|yaml|css|html)$|^\.ci\/run$/;

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((f) => f && TEXT.test(f) && !f.endsWith('package-lock.json'))
    .filter((f) => fs.existsSync(path.join(ROOT, f)));
}

function headings(doc: string): string[] {
  return fs
    .readFileSync(path.join(ROOT, doc), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim());
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

/** Scans every text file for `pattern`; `bad(match)` says whether one occurrence fails. */
function scan(pattern: RegExp, bad: (m: RegExpExecArray) => boolean): Finding[] {
  const found: Finding[] = [];
  for (const file of FILES) {
    if (file === 'server/test/docs/citations.test.ts') continue;
    const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const re = new RegExp(
        pattern.source,
        pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
      );
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (bad(m)) found.push({ file, line: i + 1, text: m[0] });
      }
    });
  }
  return found;
}

const FILES = trackedFiles();
const DESIGN_SECTIONS = new Set(
  headings('docs/design.md')
    .map((h) => /^(\d+)\./.exec(h)?.[1])
    .filter((n): n is string => n !== undefined),
);
const API_HEADINGS = headings('docs/api.md');
const STYLE_HEADINGS = headings('docs/style.md');
const HISTORY = fs.readFileSync(path.join(ROOT, 'docs/history.md'), 'utf8');

describe('citations resolve inside the repository', () => {
  it('nothing points at the design folder beside the checkout', () => {
    expect(scan(/\.\.\/shared\/(DESIGN|API|STYLE)\.md|\.\.\/shared\/spec\//, () => true)).toEqual(
      [],
    );
  });

  it('design §n names a section of docs/design.md', () => {
    expect(scan(/\bDESIGN §\d+/, () => true)).toEqual([]);
    expect(scan(/\bdesign §(\d+)/, (m) => !DESIGN_SECTIONS.has(m[1]!))).toEqual([]);
  });

  it('api.md citations name a heading of docs/api.md', () => {
    expect(scan(/\bAPI\.md\b/, () => true)).toEqual([]);
    expect(
      scan(/\bapi\.md "([^"]+)"/, (m) => !API_HEADINGS.some((h) => h.startsWith(m[1]!))),
    ).toEqual([]);
  });

  it('style citations name a heading of docs/style.md', () => {
    expect(scan(/\bSTYLE(\.md\b| "|:| pitfall)/, () => true)).toEqual([]);
    expect(
      scan(/\bstyle "([^"]+)"/, (m) => !STYLE_HEADINGS.some((h) => h.startsWith(m[1]!))),
    ).toEqual([]);
  });

  it('issue #N is listed in docs/history.md', () => {
    expect(scan(/\bissues? #(\d+)/i, (m) => !HISTORY.includes(`#${m[1]!} |`))).toEqual([]);
  });

  it('relative links in the README and docs point at files that exist', () => {
    const docs = FILES.filter((f) => f.endsWith('.md'));
    const broken: Finding[] = [];
    for (const file of docs) {
      const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
      lines.forEach((text, i) => {
        for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
          const target = m[1]!;
          if (/^[a-z]+:/i.test(target)) continue;
          if (!fs.existsSync(path.resolve(ROOT, path.dirname(file), target))) {
            broken.push({ file, line: i + 1, text: target });
          }
        }
      });
    }
    expect(broken).toEqual([]);
  });

  it('finds a citation that does not resolve (the check can fail)', () => {
    expect(DESIGN_SECTIONS.has('4')).toBe(true);
    expect(DESIGN_SECTIONS.has('99')).toBe(false);
    expect(HISTORY.includes('#99 |')).toBe(false);
  });
});
