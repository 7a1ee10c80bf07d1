import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { OUT, ROOT } from "./common";

/** Benchmark 6: `npm test` wall time (measured with `--npm-test`; otherwise the figure BENCHMARKS.md holds is kept). */

export function npmTest(measure: boolean): { seconds: number; when: string; how: string } | undefined {
  if (measure) {
    const t = Date.now();
    const r = spawnSync("npm", ["test"], { cwd: ROOT, env: { ...process.env, CI: "1" }, stdio: ["ignore", "ignore", "inherit"] });
    const seconds = (Date.now() - t) / 1000;
    return {
      seconds,
      when: new Date().toISOString().slice(0, 16).replace("T", " "),
      how: `\`CI=1 npm test\` (jest maxWorkers 2), exit code ${r.status}, measured by this run`,
    };
  }
  const previous = fs.existsSync(OUT) ? /<!-- npm-test: ([\d.]+) s; (.*?); (.*?) -->/.exec(fs.readFileSync(OUT, "utf8")) : null;
  return previous ? { seconds: Number(previous[1]), when: previous[2], how: previous[3] } : undefined;
}
