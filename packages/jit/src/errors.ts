/** Base of every error thrown by @dg/jit; `code` is stable and meant for programs, the message for people. */
export class JitError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}...` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Bad input, reported before any work: names the argument, what was expected and what was given. */
export class JitArgumentError extends JitError {
  declare readonly code: 'DG_JIT_ARGUMENT';
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;

  constructor(argument: string, expected: string, actual: unknown) {
    const shown = describe(actual);
    super('DG_JIT_ARGUMENT', `${argument}: expected ${expected}, got ${shown}`);
    this.argument = argument;
    this.expected = expected;
    this.actual = shown;
  }
}

/** Neither NVRTC nor NVCC could be used; `tried` says what was looked at and why each failed. */
export class JitUnavailableError extends JitError {
  declare readonly code: 'DG_JIT_UNAVAILABLE';
  readonly tried: readonly string[];

  constructor(what: string, tried: readonly string[]) {
    super('DG_JIT_UNAVAILABLE', `${what}: ${tried.join('; ')}`);
    this.tried = tried;
  }
}

/** The compiler rejected the source. `log` is the compiler's whole output; `sourcePath` is a kept copy of the source. */
export class JitCompileError extends JitError {
  declare readonly code: 'DG_JIT_COMPILE';
  readonly kernelName: string;
  readonly compiler: string;
  readonly log: string;
  readonly sourcePath: string | undefined;
  readonly command: string | undefined;

  constructor(
    init: { kernelName: string; compiler: string; log: string; sourcePath?: string; command?: string },
    options?: ErrorOptions,
  ) {
    const where = init.sourcePath === undefined ? '' : ` (source kept at ${init.sourcePath})`;
    const shownLog =
      init.log.length > 8000 ? `${init.log.slice(0, 8000)}\n... (${init.log.length} chars, see .log)` : init.log;
    super(
      'DG_JIT_COMPILE',
      `compiling kernel '${init.kernelName}' with ${init.compiler} failed${where}:\n${shownLog}`,
      options,
    );
    this.kernelName = init.kernelName;
    this.compiler = init.compiler;
    this.log = init.log;
    this.sourcePath = init.sourcePath;
    this.command = init.command;
  }
}

/** DG_JIT_PTXAS_CHECK found spills, a stack frame or local memory in ptxas's report. */
export class JitPtxasCheckError extends JitError {
  declare readonly code: 'DG_JIT_PTXAS_CHECK';
  readonly kernelName: string;
  readonly problems: readonly string[];
  readonly report: string;

  constructor(kernelName: string, problems: readonly string[], report: string) {
    super('DG_JIT_PTXAS_CHECK', `ptxas check failed for kernel '${kernelName}': ${problems.join('; ')}`);
    this.kernelName = kernelName;
    this.problems = problems;
    this.report = report;
  }
}
