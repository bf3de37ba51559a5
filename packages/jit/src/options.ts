import { resolve } from 'node:path';
import { JitArgumentError } from './errors.js';

export type DefineValue = string | number | boolean;

export interface CompileOptions {
  /** The kernel's `extern "C"` entry name; also names the cache entry. */
  name: string;
  /** Target architecture; default 'sm_90a'. */
  arch?: string;
  /** Directories searched for #include; their headers' content is part of the cache key. */
  includeDirs?: readonly string[];
  /** `-DNAME=value` in insertion order; true/false become 1/0. */
  defines?: Readonly<Record<string, DefineValue>>;
  /** Extra compiler flags, passed as given to whichever compiler runs. */
  flags?: readonly string[];
  /** A template instantiation such as `&k<1, 2>`; its NVRTC lowered name is the entry. NVRTC only. */
  nameExpression?: string;
}

/** Validated options in the form both compilers and the cache key use. */
export interface Normalized {
  readonly name: string;
  readonly source: string;
  readonly arch: string;
  /** Absolute, because NVCC runs in a scratch directory. */
  readonly includeDirs: readonly string[];
  readonly defines: readonly string[];
  readonly flags: readonly string[];
  readonly nameExpression: string | undefined;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ARCH = /^sm_\d+[af]?$/;

function stringArray(value: unknown, argument: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new JitArgumentError(argument, 'an array of strings', value);
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') throw new JitArgumentError(`${argument}[${i}]`, 'a non-empty string', v);
  });
  return value as readonly string[];
}

export function normalize(source: unknown, opts: unknown, where: string): Normalized {
  if (typeof opts !== 'object' || opts === null) throw new JitArgumentError(where, 'an options object', opts);
  const o = opts as Partial<Record<keyof CompileOptions, unknown>>;
  if (typeof source !== 'string' || source.trim() === '') {
    throw new JitArgumentError(
      where === 'opts' ? 'source' : `${where}.source`,
      'a non-empty CUDA source string',
      source,
    );
  }
  const name = o.name;
  if (typeof name !== 'string' || !IDENT.test(name)) {
    throw new JitArgumentError(`${where}.name`, 'a C identifier (the extern "C" kernel name)', name);
  }
  const arch = o.arch ?? 'sm_90a';
  if (typeof arch !== 'string' || !ARCH.test(arch)) {
    throw new JitArgumentError(`${where}.arch`, "an architecture like 'sm_90a'", arch);
  }
  const includeDirs = stringArray(o.includeDirs, `${where}.includeDirs`).map((d) => resolve(d));
  const flags = stringArray(o.flags, `${where}.flags`);
  const defines: string[] = [];
  if (o.defines !== undefined) {
    if (typeof o.defines !== 'object' || o.defines === null || Array.isArray(o.defines)) {
      throw new JitArgumentError(`${where}.defines`, 'an object of name -> string | number | boolean', o.defines);
    }
    for (const [key, value] of Object.entries(o.defines)) {
      if (!IDENT.test(key)) throw new JitArgumentError(`${where}.defines key`, 'a C identifier', key);
      if (typeof value === 'boolean') defines.push(`-D${key}=${value ? 1 : 0}`);
      else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string') {
        defines.push(`-D${key}=${value}`);
      } else {
        throw new JitArgumentError(`${where}.defines.${key}`, 'a string, finite number or boolean', value);
      }
    }
  }
  const nameExpression = o.nameExpression;
  if (nameExpression !== undefined && (typeof nameExpression !== 'string' || nameExpression.trim() === '')) {
    throw new JitArgumentError(`${where}.nameExpression`, "a template instantiation like '&k<1, 2>'", nameExpression);
  }
  return { name, source, arch, includeDirs, defines, flags, nameExpression };
}
