/**
 * Writes the TypeScript SDK's classes and functions (sdk/<host>/) from the resource and function
 * descriptions (`npm run sdk`).
 *
 *   node bin/scripts/generate-sdk.js            write the files that changed
 *   node bin/scripts/generate-sdk.js --check    exit 1 when a file is stale (prints the diffs)
 */
import { generatorMain } from "./generatorMain";
import { describeSdkDifference, sdkDifferences, writeSdk } from "./sdk/build";

process.exitCode = generatorMain(
  { differences: sdkDifferences, describe: describeSdkDifference, write: writeSdk, upToDate: "sdk is up to date" },
  __dirname,
  process.argv.slice(2),
);
