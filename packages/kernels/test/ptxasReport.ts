// Test support: parses `nvcc -Xptxas -v` output into one record per entry function.

export interface PtxasEntry {
  name: string;
  registers: number;
  stackFrameBytes: number;
  spillStoreBytes: number;
  spillLoadBytes: number;
  smemBytes: number;
}

export function parsePtxasReport(text: string): PtxasEntry[] {
  const entries: PtxasEntry[] = [];
  let current: PtxasEntry | undefined;
  for (const line of text.split('\n')) {
    const entry = /Compiling entry function '([^']+)'/.exec(line);
    if (entry?.[1] !== undefined) {
      current = {
        name: entry[1],
        registers: -1,
        stackFrameBytes: -1,
        spillStoreBytes: -1,
        spillLoadBytes: -1,
        smemBytes: 0,
      };
      entries.push(current);
      continue;
    }
    if (current === undefined) continue;
    const frame = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
    if (frame !== null) {
      current.stackFrameBytes = Number(frame[1]);
      current.spillStoreBytes = Number(frame[2]);
      current.spillLoadBytes = Number(frame[3]);
    }
    const regs = /Used (\d+) registers/.exec(line);
    if (regs !== null) current.registers = Number(regs[1]);
    const smem = /(\d+) bytes smem/.exec(line);
    if (smem !== null) current.smemBytes = Number(smem[1]);
  }
  return entries;
}

/** Lines ptxas/nvcc flagged as warnings (local memory use, ignored setmaxnreg, ...). */
export function warningLines(text: string): string[] {
  return text.split('\n').filter((l) => /warning/i.test(l));
}
