import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./common";

/**
 * Section 7: steps that survive one transient fault on a mutating call, read from docs/fault-matrix.md
 * (written by the last `npm run test:faults`; not measured by `npm run bench`).
 */

export interface FaultSurvival {
  ok: number;
  adopt: number;
  err: number;
  cells: number;
  byHost: Array<{ host: string; ok: number; cells: number }>;
}

/**
 * The cells of the fault matrix whose fault is transient (5xx before the change, a dropped
 * connection, a lost answer: the columns whose title names the change), counted by outcome, from
 * docs/fault-matrix.md as the last `npm run test:faults` wrote it.
 */
export function faultSurvival(): FaultSurvival | undefined {
  const doc = path.join(ROOT, "docs", "fault-matrix.md");
  if (!fs.existsSync(doc)) return undefined;
  const out: FaultSurvival = { ok: 0, adopt: 0, err: 0, cells: 0, byHost: [] };
  let transient: number[] = [];
  for (const line of fs.readFileSync(doc, "utf8").split("\n")) {
    const cols = line.split("|").map((c) => c.trim());
    if (line.startsWith("## ")) out.byHost.push({ host: line.slice(3), ok: 0, cells: 0 });
    else if (line.startsWith("| call |")) transient = cols.flatMap((c, i) => (/ the change$/.test(c) ? [i] : []));
    else if (line.startsWith("| `")) {
      for (const i of transient) {
        const outcome = /^pass \((ok|adopt|err)/.exec(cols[i])?.[1] as "ok" | "adopt" | "err" | undefined;
        const host = out.byHost[out.byHost.length - 1];
        out.cells++;
        host.cells++;
        if (outcome) out[outcome]++;
        if (outcome === "ok") host.ok++;
      }
    }
  }
  out.byHost = out.byHost.filter((h) => h.cells > 0);
  return out.cells > 0 ? out : undefined;
}
