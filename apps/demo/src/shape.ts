// The problem the demo runs and what it reports.

export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface DemoResult {
  /** Where it ran, in words. */
  readonly device: string;
  readonly shape: GemmShape;
  /** Mean time of one call. */
  readonly msPerCall: number;
  readonly calls: number;
  /** calcDiff against an FP64 product of the unquantized inputs. */
  readonly calcDiff: number;
  /** Output rows that calcDiff covers. */
  readonly rowsChecked: number;
}

export function flops({ m, n, k }: GemmShape): number {
  return 2 * m * n * k;
}
