/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by jest */
/** Runs the e2e files in the order of ORDER (the longest first), the rest after them by name. */
const Sequencer = require("@jest/test-sequencer").default;

const ORDER = ["docs", "interrupted", "examples", "automation", "concurrency", "yaml", "demo", "quickstart", "secrets", "python"];

function rank(testPath) {
  const i = ORDER.findIndex((name) => testPath.endsWith(`/${name}.test.ts`));
  return i === -1 ? ORDER.length : i;
}

class E2ESequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = E2ESequencer;
