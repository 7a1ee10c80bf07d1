/**
 * Writes the TypeScript SDK's classes and functions (sdk/<host>/) from the resource and function
 * descriptions (`npm run sdk`).
 *
 *   node bin/scripts/generate-sdk.js            write the files that changed
 *   node bin/scripts/generate-sdk.js --check    exit 1 when a file is stale (prints the diffs)
 */
import { packageRoot } from "../provider/plugin/packageInfo";
import { describeSdkDifference, sdkDifferences, writeSdk } from "./sdk/build";

function main(argv: string[]): number {
  const root = packageRoot(__dirname);
  if (argv.includes("--check")) {
    const diffs = sdkDifferences(root);
    for (const d of diffs) console.error(describeSdkDifference(d));
    return diffs.length ? 1 : 0;
  }
  const written = writeSdk(root);
  console.log(written.length ? `wrote ${written.join(", ")}` : "sdk is up to date");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
