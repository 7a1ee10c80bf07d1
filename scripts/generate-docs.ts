/**
 * Writes docs/ (and README.md's generated blocks) from the resource, function and setting
 * descriptions (`npm run docs`).
 *
 *   node bin/scripts/generate-docs.js            write the files that changed
 *   node bin/scripts/generate-docs.js --check    exit 1 when a file is stale (prints the diffs)
 */
import { describeDifference, docsDifferences, writeDocs } from "./docs/build";
import { generatorMain } from "./generatorMain";

process.exitCode = generatorMain(
  { differences: (root) => docsDifferences(root), describe: describeDifference, write: (root) => writeDocs(root), upToDate: "docs are up to date" },
  __dirname,
  process.argv.slice(2),
);
