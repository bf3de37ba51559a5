// Output of every bench: progress on stderr, a JSON document and a markdown table on stdout (or files).

import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface Environment {
  date: string;
  commit: string;
  node: string;
  cpu: string;
  host: string;
}

export function environment(): Environment {
  // DG_COMMIT: set by tools/gpu/run-suite.sh on hosts that get the tree without its .git.
  let commit = process.env.DG_COMMIT ?? 'unknown';
  if (commit === 'unknown') {
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      // not a git checkout (e.g. an installed package): leave it unknown
    }
  }
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    host: `${os.platform()} ${os.arch()}, ${os.cpus().length} cores`,
  };
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---:')), ...rows.map(line)].join('\n');
}
