// The release metadata `changeset version` reads: every pending changeset must parse (a formatter once turned a
// frontmatter block into a Markdown heading, which made `changeset status` fail for the whole repository), name only
// packages it may bump, and no workspace peer range may force a major bump of its dependent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const changesetDir = join(root, '.changeset');
const config = JSON.parse(readFileSync(join(changesetDir, 'config.json'), 'utf8')) as { ignore: string[] };

interface Manifest {
  name: string;
  private?: boolean;
  peerDependencies?: Record<string, string>;
}

function manifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, dir))) {
      try {
        out.push(JSON.parse(readFileSync(join(root, dir, name, 'package.json'), 'utf8')) as Manifest);
      } catch {
        // not a package directory
      }
    }
  }
  return out;
}

const changesets = readdirSync(changesetDir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const publishable = new Set(
  manifests()
    .filter((m) => !m.private && !config.ignore.includes(m.name))
    .map((m) => m.name),
);

describe('changesets', () => {
  it.each(changesets)('%s has a frontmatter of published packages and a summary', (file) => {
    const text = readFileSync(join(changesetDir, file), 'utf8');
    const match = /^---\n((?:"[^"]+": (?:major|minor|patch)\n)+)---\n\s*\S/.exec(text);
    expect(match, `${file}: expected ---, lines '"@dg/name": minor', ---, then the summary`).not.toBeNull();
    const names = [...(match?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    for (const name of names) expect(publishable.has(name as string), `${file}: ${name} is not published`).toBe(true);
  });

  it('keeps workspace peer ranges open across 0.x minor releases (a ^0.x peer range makes changesets bump the dependent to 1.0.0)', () => {
    for (const m of manifests()) {
      for (const [dep, range] of Object.entries(m.peerDependencies ?? {})) {
        if (!range.startsWith('workspace:')) continue;
        expect(range, `${m.name} peer ${dep}`).toMatch(/^workspace:>=0\.\d+\.\d+ <1$/);
      }
    }
  });
});
