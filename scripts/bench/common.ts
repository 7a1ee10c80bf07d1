import * as path from "node:path";

/** What every benchmark of `npm run bench` shares (scripts/bench.ts runs them; scripts/bench/report.ts writes BENCHMARKS.md). */

/** The repository (this file runs from bin/scripts/bench/). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const OUT = path.join(ROOT, "BENCHMARKS.md");

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
export const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
