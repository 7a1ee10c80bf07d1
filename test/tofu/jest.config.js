/**
 * `npm run test:tofu`: the real OpenTofu CLI (`npm run tofu`) against terraform-provider-vps and the
 * simulators. Its files end in `.tofu.ts`, which `npm test` (jest.config.js: `*.test.ts`) does not run.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require("../../jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/tofu"],
  testMatch: ["**/*.tofu.ts"],
  // Each step runs tofu (a Go binary) and the provider (Node): one file at a time on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 300000,
};
