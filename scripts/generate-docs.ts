/**
 * Writes docs/ (and README.md's generated blocks) from the resource, function and setting
 * descriptions (`npm run docs`).
 *
 *   node bin/scripts/generate-docs.js            write the files that changed
 *   node bin/scripts/generate-docs.js --check    exit 1 when a file is stale (prints the diffs)
 */
import { packageRoot } from "../provider/plugin/packageInfo";
import { describeDifference, docsDifferences, writeDocs } from "./docs/build";

function main(argv: string[]): number {
  const root = packageRoot(__dirname);
  if (argv.includes("--check")) {
    const diffs = docsDifferences(root);
    for (const d of diffs) console.error(describeDifference(d));
    return diffs.length ? 1 : 0;
  }
  const written = writeDocs(root);
  console.log(written.length ? `wrote ${written.join(", ")}` : "docs are up to date");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
