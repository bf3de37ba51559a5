const PROPS = /Function properties for (\S+)/;
const FRAME = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/;
const LOCAL = /Local memory used/i;

/** True when the log holds ptxas's verbose report (-v). */
export function hasPtxasReport(log: string): boolean {
  return FRAME.test(log);
}

/** Spills, stack frames and local-memory warnings that ptxas's verbose report shows, one line per finding. */
export function ptxasProblems(log: string): string[] {
  const problems: string[] = [];
  let fn = '?';
  for (const line of log.split('\n')) {
    const props = PROPS.exec(line);
    if (props?.[1] !== undefined) fn = props[1];
    const frame = FRAME.exec(line);
    if (frame !== null) {
      const [stack, stores, loads] = [Number(frame[1]), Number(frame[2]), Number(frame[3])];
      if (stack > 0) problems.push(`${fn}: ${stack} bytes stack frame`);
      if (stores > 0 || loads > 0) problems.push(`${fn}: ${stores} bytes spill stores, ${loads} bytes spill loads`);
    }
    if (LOCAL.test(line)) problems.push(line.trim());
  }
  return problems;
}
