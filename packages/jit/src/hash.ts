import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

interface Include {
  readonly spelling: string;
  readonly quoted: boolean;
}

interface HeaderInfo {
  readonly mtimeMs: number;
  readonly size: number;
  readonly sha: string;
  readonly includes: readonly Include[];
}

// Anchored at the start of a line, so `// #include <x>` is not followed; a header named in a block comment is
// followed, which only adds a file to the key.
const INCLUDE_RE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm;

export function parseIncludes(text: string): Include[] {
  const out: Include[] = [];
  for (const m of text.matchAll(INCLUDE_RE)) {
    const spelling = m[2];
    if (spelling !== undefined) out.push({ spelling: spelling.trim(), quoted: m[1] === '"' });
  }
  return out;
}

// Hashed once per process per path; a changed mtime or size re-reads the file, so an edited header changes the key
// of the next spec that includes it.
const headers = new Map<string, HeaderInfo>();

function headerInfo(path: string): HeaderInfo | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return undefined;
  const known = headers.get(path);
  if (known !== undefined && known.mtimeMs === st.mtimeMs && known.size === st.size) return known;
  const text = readFileSync(path, 'utf8');
  const info: HeaderInfo = { mtimeMs: st.mtimeMs, size: st.size, sha: sha256Hex(text), includes: parseIncludes(text) };
  headers.set(path, info);
  return info;
}

function resolveInclude(
  inc: Include,
  fromDir: string | undefined,
  includeDirs: readonly string[],
): { path: string; info: HeaderInfo } | undefined {
  const candidates = inc.quoted && fromDir !== undefined ? [fromDir, ...includeDirs] : includeDirs;
  for (const dir of candidates) {
    const path = join(dir, inc.spelling);
    const info = headerInfo(path);
    if (info !== undefined) return { path, info };
  }
  return undefined;
}

/**
 * A digest of every header the source reaches through #include, resolved against includeDirs (and, for "..."
 * includes inside a header, that header's directory). Headers not found there (system or compiler headers) are
 * not part of it. Each file is entered once (include guards / #pragma once), in first-visit order, by its
 * spelling and content hash: the absolute paths stay out, so moving a checkout keeps its cache.
 */
export function includeTreeDigest(source: string, includeDirs: readonly string[]): { digest: string; files: string[] } {
  const visited = new Set<string>();
  const parts: string[] = [];
  const walk = (includes: readonly Include[], fromDir: string | undefined): void => {
    for (const inc of includes) {
      const found = resolveInclude(inc, fromDir, includeDirs);
      if (found === undefined || visited.has(found.path)) continue;
      visited.add(found.path);
      parts.push(`${inc.spelling}\0${found.info.sha}`);
      walk(found.info.includes, dirname(found.path));
    }
  };
  walk(parseIncludes(source), undefined);
  return { digest: sha256Hex(parts.join('\n')), files: [...visited] };
}

/** The cache key: 32 hex digits of the sha256 of the canonical JSON of every input that changes the output. */
export function cacheKey(parts: Readonly<Record<string, unknown>>): string {
  return sha256Hex(JSON.stringify(parts)).slice(0, 32);
}
