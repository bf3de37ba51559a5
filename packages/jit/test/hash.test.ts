import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, includeTreeDigest, parseIncludes } from '../src/hash.js';
import { freshDir } from './helpers.js';

describe('include-tree hashing', () => {
  it('parses angle and quoted includes, not commented-out ones', () => {
    const inc = parseIncludes('#include <dg/a.cuh>\n  #  include "b.cuh"\n// #include <c.cuh>\nint x;');
    expect(inc).toEqual([
      { spelling: 'dg/a.cuh', quoted: false },
      { spelling: 'b.cuh', quoted: true },
    ]);
  });

  it('follows includes recursively through includeDirs, ignores unknown headers, survives cycles', () => {
    const root = freshDir('hash');
    mkdirSync(join(root, 'dg'));
    writeFileSync(join(root, 'dg', 'a.cuh'), '#pragma once\n#include "b.cuh"\n#include <cuda_fp8.h>\n');
    writeFileSync(join(root, 'dg', 'b.cuh'), '#pragma once\n#include <dg/a.cuh>\nint b;\n');
    const src = '#include <dg/a.cuh>\n';
    const first = includeTreeDigest(src, [root]);
    expect(first.files.map((f) => f.slice(root.length))).toEqual(['/dg/a.cuh', '/dg/b.cuh']);
    // A nested header's change reaches the digest (mtime/size check of the per-process cache).
    writeFileSync(join(root, 'dg', 'b.cuh'), '#pragma once\n#include <dg/a.cuh>\nint b, c;\n');
    const second = includeTreeDigest(src, [root]);
    expect(second.digest).not.toBe(first.digest);
    // Same content under another root: same digest (paths are not part of it).
    const other = freshDir('hash2');
    mkdirSync(join(other, 'dg'));
    writeFileSync(join(other, 'dg', 'a.cuh'), '#pragma once\n#include "b.cuh"\n#include <cuda_fp8.h>\n');
    writeFileSync(join(other, 'dg', 'b.cuh'), '#pragma once\n#include <dg/a.cuh>\nint b, c;\n');
    expect(includeTreeDigest(src, [other]).digest).toBe(second.digest);
  });

  it('keys are 32 hex digits and order-sensitive', () => {
    const a = cacheKey({ options: ['-DA=1', '-DB=2'] });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(cacheKey({ options: ['-DB=2', '-DA=1'] })).not.toBe(a);
  });
});
