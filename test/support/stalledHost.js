/* global setInterval */
/**
 * Preloaded (NODE_OPTIONS=--require) into a dynamic-provider host by tests that need the host as it
 * runs on a loaded machine: its event loop is held up STALL_MS out of every STALL_PERIOD_MS, without
 * using a core (Atomics.wait), so the engine's reads reach the provider spread over seconds.
 */
const stallMs = Number(process.env.STALL_MS || "60");
const periodMs = Number(process.env.STALL_PERIOD_MS || "80");
const cell = new Int32Array(new SharedArrayBuffer(4));
setInterval(() => Atomics.wait(cell, 0, 0, stallMs), Math.max(1, periodMs - stallMs)).unref();
