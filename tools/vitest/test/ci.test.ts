// CI must run exactly the test command the README gives users, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('README and CI agree', () => {
  it('.ci/run runs the README test command verbatim', () => {
    const readmeTest = read('README.md')
      .split('\n')
      .find((line) => line.includes('pnpm') && line.trim().endsWith(' test'));
    expect(readmeTest).toBeDefined();
    const ciLines = read('.ci/run')
      .split('\n')
      .map((l) => l.trim());
    expect(ciLines).toContain(readmeTest!.trim());
  });
});
