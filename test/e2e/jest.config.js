/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by jest */
/**
 * `npm run test:e2e`: the end-to-end suite against the real Pulumi engine (`npm run engine` first).
 * Kept out of `npm test`, which stays offline and needs no engine.
 */
const path = require("node:path");

/** @type {import('jest').Config} */
module.exports = {
  rootDir: path.resolve(__dirname, "..", ".."),
  testEnvironment: "node",
  // Pulumi's SDK keeps its state in globals: Jest's soft deletion of them between files can recurse
  // on a late write (see the root jest.config.js).
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  globalSetup: "<rootDir>/test/e2e/support/globalSetup.ts",
  // Each step runs the real CLI and provider processes; a whole scenario takes minutes on 2 cores.
  testTimeout: 15 * 60 * 1000,
  // Two files at a time: each runs the CLI, the program and provider processes.
  maxWorkers: 2,
  // docs.test.ts runs the docs' programs (it.concurrent), each in its own stack: three at a time.
  maxConcurrency: 3,
  // The slowest first, so the two workers finish together.
  testSequencer: "<rootDir>/test/e2e/support/sequencer.js",
  verbose: true,
};
