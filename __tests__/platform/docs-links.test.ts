import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// Every relative link in the user-facing docs points at a file that exists and, with a
// `#fragment`, at a heading of that page (GitHub's anchors).
const ROOT = join(__dirname, '..', '..');

/** GitHub's heading anchor: lower case, punctuation removed, spaces to '-'. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Markdown without fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, '').replace(/(`+)[^`\n]*?\1/g, '');
}

/** The anchors a page offers: its headings (duplicates get -1, -2...) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = githubSlug(m[1]);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
  return anchors;
}

/** Inline link targets `](target)` outside code. */
export function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

/** Broken relative links of one page, as `target: reason` lines. */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const target of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [rawPath, fragment] = target.split('#', 2) as [string, string | undefined];
    const path = decodeURIComponent(rawPath);
    const resolved = path === '' ? file : join(dirname(file), path);
    if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
      problems.push(`${target}: no such file ${relative(ROOT, resolved)}`);
      continue;
    }
    if (fragment === undefined || fragment === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      problems.push(`${target}: an anchor on a file that is not a markdown page`);
      continue;
    }
    if (!anchorsOf(readFileSync(resolved, 'utf8')).has(decodeURIComponent(fragment))) {
      problems.push(`${target}: no heading #${fragment} in ${relative(ROOT, resolved)}`);
    }
  }
  return problems;
}

const pages = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('docs links', () => {
  it('GitHub anchors: lower case, punctuation removed, spaces to "-"', () => {
    expect(githubSlug('Offline plan')).toBe('offline-plan');
    expect(githubSlug('Hub mode: one `hub` for every account-region')).toBe('hub-mode-one-hub-for-every-account-region');
    expect(githubSlug('Day-2 changes (what destroy keeps)')).toBe('day-2-changes-what-destroy-keeps');
    expect([...anchorsOf('# A\n## Limits\n```sh\n# not a heading\n```\n### Limits\n')]).toEqual(['a', 'limits', 'limits-1']);
  });

  it('finds broken links and anchors, and ignores code', () => {
    const links = linksOf('see [x](docs/deploy.md#nowhere) and `[y](nope.md)`\n```md\n[z](gone.md)\n```\n');
    expect(links).toEqual(['docs/deploy.md#nowhere']);
  });

  it.each(pages)('%s: every relative link and anchor resolves', (page) => {
    expect(brokenLinks(join(ROOT, page))).toEqual([]);
  });
});
