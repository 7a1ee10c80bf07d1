/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 30000,
  // Examples import the package by name, as users do.
  moduleNameMapper: { "^pulumi-vps$": "<rootDir>/sdk/index.ts" },
  // Lifecycle tests start child processes; two workers match the 2-core CI machine.
  maxWorkers: process.env.CI ? 2 : "50%",
};
