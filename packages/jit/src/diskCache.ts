import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedDir, kernelsDir, tmpDir } from './cacheDir.js';
import { sha256Hex } from './hash.js';

/** meta.json of a cache entry. */
export interface EntryMeta {
  readonly format: 1;
  readonly name: string;
  readonly key: string;
  readonly compiler: string;
  readonly arch: string;
  readonly options: readonly string[];
  readonly loweredName: string;
  /** Seconds the compile took when the entry was built. */
  readonly seconds: number;
  readonly cubinSha256: string;
  readonly cubinBytes: number;
  readonly created: string;
  /** The compiler's log (ptxas report included when asked for): a hit can still print and check it. */
  readonly log: string;
}

export type EntryRead =
  | { readonly kind: 'hit'; readonly meta: EntryMeta; readonly cubin: Uint8Array; readonly ptx: string | undefined }
  | { readonly kind: 'miss' }
  | { readonly kind: 'corrupt'; readonly reason: string };

export function entryPath(root: string, name: string, key: string): string {
  return join(kernelsDir(root), `${name}.${key}`);
}

const DEGRADE_CODES = new Set(['EACCES', 'EROFS', 'ENOSPC', 'EPERM', 'EDQUOT', 'ENOTDIR']);

/** An error that means "this cache directory cannot be written": the cache degrades to memory. */
export function isUnwritable(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && DEGRADE_CODES.has((e as NodeJS.ErrnoException).code ?? '');
}

function errno(e: unknown): string | undefined {
  return e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
}

function isMeta(v: unknown): v is EntryMeta {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    m.format === 1 &&
    typeof m.key === 'string' &&
    typeof m.cubinSha256 === 'string' &&
    typeof m.cubinBytes === 'number' &&
    typeof m.loweredName === 'string' &&
    typeof m.compiler === 'string' &&
    typeof m.log === 'string'
  );
}

/** Reads and verifies an entry: meta parses, its key matches, the cubin has the recorded length and sha256. */
export function readEntry(dir: string, key: string): EntryRead {
  let metaText: string;
  try {
    metaText = readFileSync(join(dir, 'meta.json'), 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') {
      return existsSync(dir) ? { kind: 'corrupt', reason: 'meta.json missing' } : { kind: 'miss' };
    }
    throw e;
  }
  let meta: unknown;
  try {
    meta = JSON.parse(metaText);
  } catch {
    return { kind: 'corrupt', reason: 'meta.json does not parse' };
  }
  if (!isMeta(meta)) return { kind: 'corrupt', reason: 'meta.json lacks fields' };
  if (meta.key !== key) return { kind: 'corrupt', reason: `meta.json key ${meta.key} != ${key}` };
  let cubin: Uint8Array;
  try {
    cubin = readFileSync(join(dir, 'kernel.cubin'));
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'corrupt', reason: 'kernel.cubin missing' };
    throw e;
  }
  if (cubin.byteLength !== meta.cubinBytes) {
    return { kind: 'corrupt', reason: `kernel.cubin has ${cubin.byteLength} bytes, meta.json says ${meta.cubinBytes}` };
  }
  if (sha256Hex(cubin) !== meta.cubinSha256) return { kind: 'corrupt', reason: 'kernel.cubin sha256 mismatch' };
  let ptx: string | undefined;
  try {
    ptx = readFileSync(join(dir, 'kernel.ptx'), 'utf8');
  } catch {
    ptx = undefined;
  }
  return { kind: 'hit', meta, cubin, ptx };
}

function randomName(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Moves a bad entry aside (a rename, so a concurrent reader sees either the old dir or none) and deletes it.
 * Returns false where the cache cannot be written (the caller then keeps its rebuild in memory).
 */
export function discardEntry(root: string, dir: string): boolean {
  const aside = join(tmpDir(root), `corrupt-${randomName()}`);
  try {
    mkdirSync(tmpDir(root), { recursive: true });
    renameSync(dir, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return true; // another process moved it first
    if (isUnwritable(e)) return false;
    throw e;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/** A scratch directory for one build: inside the cache when writable (same file system as the rename target). */
export function makeScratch(root: string | undefined): string {
  if (root === undefined) return mkdtempSync(join(tmpdir(), 'dg-jit-'));
  const dir = join(tmpDir(root), randomName());
  mkdirSync(kernelsDir(root), { recursive: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Publishes a finished scratch dir as the entry. 'lost' means another process published the same key first; the
 * scratch dir is then removed and the caller reads the winner.
 */
export function commitEntry(scratch: string, entry: string): 'committed' | 'lost' {
  fsyncDir(scratch);
  try {
    renameSync(scratch, entry);
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      rmSync(scratch, { recursive: true, force: true });
      return 'lost';
    }
    throw e;
  }
  fsyncDir(join(entry, '..'));
  return 'committed';
}

/** Keeps a failed build's source and log for debugging; returns where the source now is. */
export function keepFailed(root: string | undefined, scratch: string, entryName: string, log: string): string {
  let dir = scratch;
  if (root !== undefined) {
    const target = join(failedDir(root), entryName);
    try {
      mkdirSync(failedDir(root), { recursive: true });
      rmSync(target, { recursive: true, force: true });
      renameSync(scratch, target);
      dir = target;
    } catch (e) {
      if (!isUnwritable(e)) throw e;
    }
  }
  try {
    writeDurable(join(dir, 'compile.log'), log);
  } catch (e) {
    if (!isUnwritable(e)) throw e;
  }
  return join(dir, 'kernel.cu');
}
