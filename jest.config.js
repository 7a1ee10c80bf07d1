/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Pulumi's SDK keeps its runtime state in globals; Jest's soft deletion of globals between files
  // wraps them in setters, and a late write (a Pulumi Stack's __registered) then recursed until the
  // stack overflowed, failing later suites of the same worker on a loaded machine.
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The end-to-end suite needs the real engine (`npm run engine`); it runs as `npm run test:e2e`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 30000,
  // Examples import the package by name, as users do.
  moduleNameMapper: { "^pulumi-vps$": "<rootDir>/sdk/index.ts" },
  // Lifecycle tests start child processes; two workers match the 2-core CI machine.
  maxWorkers: process.env.CI ? 2 : "50%",
};
