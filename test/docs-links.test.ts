// The documentation's links: every relative link and image of README.md, CONTRIBUTING.md and docs/*.md names a
// file that exists, and every #anchor into a Markdown file names one of its headings (GitHub's slugs). No network.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');

const docsDir = join(repoRoot, 'docs');
const pages = readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join(docsDir, name));
const files = [join(repoRoot, 'README.md'), join(repoRoot, 'CONTRIBUTING.md'), ...pages];

/** The text outside fenced code blocks and inline code spans, where links are links. */
function prose(markdown: string): string {
  const outsideFences = markdown
    .split('\n')
    .reduce<{ fence: string | undefined; lines: string[] }>(
      (state, line) => {
        const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
        if (state.fence === undefined && marker) return { fence: marker[0].repeat(marker.length), lines: [...state.lines, ''] };
        if (state.fence !== undefined && marker && marker.startsWith(state.fence)) return { fence: undefined, lines: [...state.lines, ''] };
        return { fence: state.fence, lines: [...state.lines, state.fence === undefined ? line : ''] };
      },
      { fence: undefined, lines: [] },
    ).lines;
  // Inline code: a run of backticks up to the same run.
  return outsideFences.join('\n').replace(/(`+)[\s\S]*?\1/g, '');
}

/** GitHub's anchor of a heading: lowercase, markup and punctuation other than - and _ removed, spaces → '-'. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/<[^>]+>/g, '') // inline HTML
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Every heading's anchor in a Markdown file, with GitHub's -1, -2 … for repeats. */
function anchors(path: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const text = readFileSync(path, 'utf8').split('\n');
  let fence: string | undefined;
  for (const line of text) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker[0].repeat(marker.length);
    else if (fence !== undefined && marker?.startsWith(fence)) fence = undefined;
    if (fence !== undefined || marker) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Every link and image target of a Markdown file: inline `[text](target)`, `![alt](target)`, and reference definitions. */
function targets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]);
  const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((match) => match[1]);
  const html = [...text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
  return [...inline, ...references, ...html];
}

const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

describe('the documentation', () => {
  it('has at least 8 pages in docs/', () => {
    expect(pages.length).toBeGreaterThanOrEqual(8);
  });

  it('keeps README.md within 12 KB', () => {
    expect(statSync(join(repoRoot, 'README.md')).size).toBeLessThanOrEqual(12 * 1024);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Moving a collection: `polystore vectors copy`')).toBe('moving-a-collection-polystore-vectors-copy');
    expect(slug('The tables: `db.sql`')).toBe('the-tables-dbsql');
    expect(slug('pgvector on PGlite (embedded)')).toBe('pgvector-on-pglite-embedded');
    expect(slug('No Milvus 2.5 server here')).toBe('no-milvus-25-server-here');
    expect(slug('Values: float32 and halfvec')).toBe('values-float32-and-halfvec');
    expect(slug('snake_case and kebab-case')).toBe('snake_case-and-kebab-case');
  });

  it.each(files.map((path) => [relative(repoRoot, path), path]))('%s: every relative link and image resolves, every #anchor names a heading', (_, path) => {
    const problems: string[] = [];
    for (const target of targets(readFileSync(path, 'utf8'))) {
      if (target === '' || external(target)) continue;
      const [file, anchor] = target.split('#', 2) as [string, string | undefined];
      const destination = file === '' ? path : resolve(dirname(path), decodeURIComponent(file));
      if (destination !== repoRoot && !destination.startsWith(repoRoot + sep)) problems.push(`${target}: outside the repository`);
      else if (!existsSync(destination)) problems.push(`${target}: no such file`);
      else if (anchor !== undefined && destination.endsWith('.md') && !anchors(destination).has(decodeURIComponent(anchor))) {
        problems.push(`${target}: no heading "#${anchor}" in ${relative(repoRoot, destination)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds the links it checks (the link pattern works)', () => {
    const readme = targets(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(readme).toContain('docs/getting-started.md');
    expect(targets('[a](b.md#c) `[no](x.md)` ![i](p.png)\n```\n[no](y.md)\n```\n')).toEqual(['b.md#c', 'p.png']);
  });
});
