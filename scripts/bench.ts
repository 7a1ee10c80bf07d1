/**
 * `npm run bench` → BENCHMARKS.md. Every figure is measured in this one run against the simulators, as
 * the median of several runs, with the machine's core count; one file per benchmark in scripts/bench/,
 * and scripts/bench/report.ts writes the report:
 *
 * 1. waits (scripts/bench/waits.ts): time from an operation turning DONE to the provider's wait
 *    returning (overhead) and polls per operation, with no estimate (as before estimates existed), for
 *    the first operation of a kind, from a duration in state, after one and after ten of the kind;
 *    1 s operations on the wall clock, 30 s to 30 min ones on a simulated clock shared by the
 *    simulator and the provider's waiter (a sleep advances the simulator's time); each host's own
 *    wait (the code its handlers call), in this process;
 * 2. 50 flops servers created in parallel through one dynamic-provider host process ÷ one create
 *    (scripts/bench/parallelCreates.ts);
 * 3. API calls to refresh 1, 10 and 100 objects through the dynamic-provider host (scripts/bench/refresh.ts);
 * 4. bytes of the serialized `__provider` per resource type (scripts/bench/providerSize.ts);
 * 5. dynamic-provider host cold start with this package ÷ with a bare dynamic provider (scripts/bench/coldStart.ts);
 * 6. `npm test` wall time (run with `--npm-test`; otherwise the last measured figure is kept; scripts/bench/npmTest.ts);
 * 7. steps that survive one transient fault on a mutating call, read from docs/fault-matrix.md
 *    (written by the last `npm run test:faults`; scripts/bench/faults.ts).
 *
 * Options: `--runs N` (default 5; 3 for the slow parallel-create and refresh figures), `--npm-test`, `--quick`,
 * `--only parallel,refresh` (measure only those benchmarks again and put their figures into the
 * existing BENCHMARKS.md, keeping the rest).
 *
 * Clocks: the 30 s parallel-create row runs on the wall clock, what a user sees; the 300 s row on a
 * clock ×20 (bench/scale-clock.js) to keep the run short.
 */
import * as os from "node:os";
import { coldStart } from "./bench/coldStart";
import { log } from "./bench/common";
import { faultSurvival } from "./bench/faults";
import { npmTest } from "./bench/npmTest";
import { parallelCreates } from "./bench/parallelCreates";
import { providerSizes, providerTexts } from "./bench/providerSize";
import { refreshes } from "./bench/refresh";
import { updateReport, writeReport } from "./bench/report";
import { measureWaits } from "./bench/waits";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const RUNS = Number(args[args.indexOf("--runs") + 1]) || (QUICK ? 2 : 5);
const SLOW_RUNS = QUICK ? 1 : Math.min(RUNS, 3);
/** Waits on the simulated clock are cheap: more runs steady the medians of ±30 % spreads. */
const WAIT_RUNS = QUICK ? RUNS : Math.max(RUNS, 9);
const ONLY = args.includes("--only") ? new Set(args[args.indexOf("--only") + 1]?.split(",")) : undefined;
const BENCHMARKS_ONLY = ["parallel", "refresh"];

/** 50 parallel creates: 30 s installs on the wall clock, 300 s ones on a clock ×20. */
async function parallelRows(serverProvider: string) {
  return [await parallelCreates(30, 1, serverProvider, SLOW_RUNS), await parallelCreates(300, 20, serverProvider, SLOW_RUNS)];
}

/** `--only`: the named benchmarks alone, written into the existing BENCHMARKS.md. */
async function only(names: Set<string>, load: string): Promise<void> {
  const unknown = [...names].filter((n) => !BENCHMARKS_ONLY.includes(n));
  if (unknown.length || names.size === 0)
    throw new Error(`--only takes a comma-separated list of ${BENCHMARKS_ONLY.join(", ")}; got "${[...names].join(",")}"`);
  const texts = await providerTexts();
  const refreshRows = names.has("refresh") ? await refreshes(texts, Math.min(RUNS, 3)) : undefined;
  const parallel = names.has("parallel") ? await parallelRows(texts.get("pulumi-nodejs:dynamic/flops:Server")!) : undefined;
  const command = `npm run bench -- ${args.join(" ")}`;
  process.stdout.write(`${updateReport({ parallel, refreshRows, load, command })}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
  log(`${cores} cores, load ${load}, ${RUNS} runs`);
  if (ONLY) return only(ONLY, load);

  const sizes = await providerSizes();
  const serverProvider = sizes.texts.get("pulumi-nodejs:dynamic/flops:Server")!;
  const keyProvider = sizes.texts.get("pulumi-nodejs:dynamic/flops:PublicKey")!;
  const waitRows = await measureWaits(WAIT_RUNS, RUNS, log);
  const refreshRows = await refreshes(sizes.texts, Math.min(RUNS, 3));
  const cold = await coldStart(keyProvider, RUNS);
  const parallel = await parallelRows(serverProvider);
  const npm = npmTest(args.includes("--npm-test"));
  const faults = faultSurvival();
  const text = writeReport({ started, cores, load, runs: RUNS, waitRuns: WAIT_RUNS, sizes, waitRows, refreshRows, cold, parallel, npm, faults });
  process.stdout.write(`${text}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
