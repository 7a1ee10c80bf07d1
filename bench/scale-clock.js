/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node directly */
/**
 * Preloaded into Pulumi's dynamic-provider host by `npm run bench` (NODE_OPTIONS=--require) to run
 * the provider's clock VPS_BENCH_TIME_SCALE times faster than the wall clock, so a benchmark of
 * five-minute operations takes seconds. It patches the one clock every wait, backoff and request
 * budget of the provider defaults to (provider/core/clock.ts `systemClock`), in the build the host
 * loads (bin/). The simulator's clock is scaled the same way, from the same epoch VPS_BENCH_T0.
 * Nothing outside `npm run bench` loads this file.
 */
const path = require("node:path");

const scale = Number(process.env.VPS_BENCH_TIME_SCALE || "1");
if (scale > 0 && scale !== 1) {
  const { systemClock } = require(path.join(process.env.VPS_BENCH_REPO, "bin", "provider", "core", "clock.js"));
  const t0 = Number(process.env.VPS_BENCH_T0 || Date.now());
  const realSleep = systemClock.sleep;
  systemClock.now = () => t0 + (Date.now() - t0) * scale;
  systemClock.sleep = (ms, signal) => realSleep(ms / scale, signal);
}
