import * as path from "node:path";
import { FlopsSimulator } from "../../simulator/flops";
import { destroy, DynamicProviderHost, type ResourceState, up } from "../../test/harness";
import { fmt, log, median, ROOT } from "./common";

/**
 * Benchmark 2: 50 flops servers created in parallel through one dynamic-provider host process ÷ one
 * create, on the wall clock (`scale` 1) or a scaled one (bench/scale-clock.js) to keep long installs
 * short, with the simulator checking that no two operations ever overlapped on one VM.
 */

/** The figures of the run before the waiter estimated operations' ends (BENCHMARKS.md of 2026-11-25 19:33 UTC), and the clock they were measured on. */
export const BEFORE: Record<number, { ratio: number; requestsPerCreate: number; scale: number }> = {
  30: { ratio: 1.36, requestsPerCreate: 5.1, scale: 10 },
  300: { ratio: 1.04, requestsPerCreate: 7.5, scale: 20 },
};

export interface ParallelRow {
  durationS: number;
  scale: number;
  oneS: number;
  fiftyS: number;
  ratio: number;
  overlaps: number;
  busyRefusals: number;
  maxPerSecond: number;
  /** Requests the simulator received per create during the 50 parallel creates. */
  requestsPerCreate: number;
  /** The same by what they were for. */
  perCreate: Record<RequestUse, number>;
  /** When the first request of the 50 creates (the distribution lookup) reached the simulator, after they were sent. */
  firstRequestS: number;
  /** When the last install was sent, after the 50 creates began (the budget lets 10 go per second). */
  lastInstallS: number;
  /** When the last of the 50 install operations ended, after the creates began. */
  lastEndS: number;
  /** Operation polls the simulator received before the last of the 50 installs (median of the runs). */
  pollsBeforeLastInstall: number;
  runs: number;
}

export type RequestUse = "install" | "operation polls" | "VM reads" | "distribution lookups" | "other";

function useOf(p: string): RequestUse {
  if (p.endsWith("/vm/install/")) return "install";
  if (/\/operation\/\d+\/$/.test(p)) return "operation polls";
  if (/\/vm\/(\d+\/)?$/.test(p)) return "VM reads";
  if (p.endsWith("/distribution/")) return "distribution lookups";
  return "other";
}

/** Pairs of operations whose time on a VM overlapped. */
function overlaps(sim: FlopsSimulator): number {
  let n = 0;
  const ops = sim.operations();
  for (const a of ops) {
    for (const b of ops) {
      if (a.id >= b.id || !a.locks.some((v) => b.locks.includes(v))) continue;
      if (a.startedAt < (b.endedAt ?? Infinity) && b.startedAt < (a.endedAt ?? Infinity)) n++;
    }
  }
  return n;
}

export async function parallelCreates(durationS: number, scale: number, serverProvider: string, runs: number): Promise<ParallelRow> {
  const t0 = Date.now();
  const sim = new FlopsSimulator({ operationDurationMs: 2_000 });
  await sim.start();
  // The simulator runs on the same scaled time as the provider (bench/scale-clock.js).
  sim.clock.now = () => t0 + (Date.now() - t0) * scale;
  sim.setOperationDuration(durationS * 1000, "VM_INSTALL");
  const host = await DynamicProviderHost.start({
    // The default request budget (flops:maxRequestsPerSecond 10) on the scaled clock.
    config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey },
    secretKeys: ["flops:apiKey"],
    env: {
      NODE_OPTIONS: `--require ${path.join(ROOT, "bench", "scale-clock.js")}`,
      VPS_BENCH_TIME_SCALE: String(scale),
      VPS_BENCH_T0: String(t0),
      VPS_BENCH_REPO: ROOT,
    },
    callTimeoutMs: 600_000,
  });
  const urn = (n: string) => `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::${n}`;
  const inputs = (n: string) => ({ __provider: serverProvider, name: n, distribution: "Debian 7.6 x64", tariff: "Облачный 1024" });
  const timed = async (fn: () => Promise<ResourceState[]>) => {
    const s = Date.now();
    const states = await fn();
    return { seconds: ((Date.now() - s) * scale) / 1000, states };
  };
  const ones: number[] = [];
  const fifties: number[] = [];
  let overlapCount = 0;
  let busy = 0;
  let maxPerSecond = 0;
  const perCreate: number[] = [];
  const uses: Array<Record<RequestUse, number>> = [];
  const lastInstalls: number[] = [];
  const firstRequests: number[] = [];
  const lastEnds: number[] = [];
  // Each phase starts with an empty request budget, as in the fresh provider process of a `pulumi up`:
  // one budget window (a second on the provider's clock) after the previous phase's last request.
  const budgetWindowPassed = () => new Promise((r) => setTimeout(r, 1_100 / scale));
  const pollsBefore: number[] = [];
  try {
    // Warm-up: the catalogs (tenants, distributions, tariffs) are read once per process.
    await destroy(host, (await up(host, urn("warm"), inputs("warm"))).state);
    for (let run = 0; run < runs; run++) {
      await budgetWindowPassed();
      const one = await timed(async () => [(await up(host, urn(`one-${run}`), inputs(`one-${run}`))).state]);
      ones.push(one.seconds);
      await Promise.all(one.states.map((s) => destroy(host, s)));
      await budgetWindowPassed();
      sim.server.clearLog();
      const names = Array.from({ length: 50 }, (_, i) => `p${run}-${i}`);
      const began = Date.now();
      const simBegan = sim.clock.now();
      const fifty = await timed(async () => (await Promise.all(names.map((n) => up(host, urn(n), inputs(n))))).map((r) => r.state));
      fifties.push(fifty.seconds);
      maxPerSecond = Math.max(maxPerSecond, sim.server.maxRequestsInWindow(1000 / scale));
      perCreate.push(sim.server.requests.length / 50);
      const use = { install: 0, "operation polls": 0, "VM reads": 0, "distribution lookups": 0, other: 0 };
      for (const r of sim.server.requests) use[useOf(r.path)] += 1 / 50;
      uses.push(use);
      firstRequests.push(((Math.min(...sim.server.requests.map((r) => r.at)) - began) * scale) / 1000);
      const installs = sim.operations().filter((o) => o.operationType === "VM_INSTALL" && o.startedAt >= simBegan);
      lastEnds.push((Math.max(...installs.map((o) => o.endedAt ?? Infinity)) - simBegan) / 1000);
      lastInstalls.push(((Math.max(...sim.server.requests.filter((r) => useOf(r.path) === "install").map((r) => r.at)) - began) * scale) / 1000);
      const lastInstall = sim.server.requests.map((r) => r.path).lastIndexOf("/api/v1/vm/install/");
      pollsBefore.push(sim.server.requests.slice(0, lastInstall).filter((r) => /\/operation\/\d+\/$/.test(r.path)).length);
      await Promise.all(fifty.states.map((s) => destroy(host, s)));
      log(`parallel ${durationS} s ×${scale}: one ${fmt(one.seconds, 1)} s, fifty ${fmt(fifty.seconds, 1)} s`);
    }
    overlapCount = overlaps(sim);
    busy = sim.busyRefusals;
  } finally {
    await host.stop();
    await sim.stop();
  }
  const one = median(ones);
  const fifty = median(fifties);
  const byUse = Object.fromEntries((Object.keys(uses[0] ?? {}) as RequestUse[]).map((k) => [k, median(uses.map((u) => u[k]))])) as Record<RequestUse, number>;
  return {
    durationS,
    scale,
    oneS: one,
    fiftyS: fifty,
    ratio: fifty / one,
    overlaps: overlapCount,
    busyRefusals: busy,
    maxPerSecond,
    requestsPerCreate: median(perCreate),
    perCreate: byUse,
    firstRequestS: median(firstRequests),
    lastInstallS: median(lastInstalls),
    lastEndS: median(lastEnds),
    pollsBeforeLastInstall: median(pollsBefore),
    runs: ones.length,
  };
}
