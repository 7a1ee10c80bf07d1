/**
 * Writes schema.json from the resource and function descriptions (`npm run schema`).
 *
 *   node bin/scripts/generate-schema.js            write schema.json
 *   node bin/scripts/generate-schema.js --check    exit 1 when schema.json is stale (prints a diff)
 *   node bin/scripts/generate-schema.js --skip-broken-hosts
 *                                                   leave out a host whose module does not load yet
 *                                                   (ignored when CI is set: there every host must load)
 */
import * as fs from "node:fs";
import { OperationTimeouts } from "../provider/core/timeouts";
import { registerHost } from "../provider/hosts";
import { readPackageInfo, schemaPath } from "../provider/plugin/packageInfo";
import { buildSchema, describedParts, type PackageSchema, probeHosts, schemaText, undocumentedParts } from "../provider/plugin/schema";
import { lineDiff } from "./lineDiff";

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const skipBroken = argv.includes("--skip-broken-hosts") && !process.env.CI;
  const probe = probeHosts();
  for (const f of probe.failed) {
    console.error(`${skipBroken ? "warning" : "error"}: host ${f.host} does not load: ${f.error}`);
    if (skipBroken) registerHost(f.host, () => ({ name: f.host, settings: {}, timeouts: new OperationTimeouts(f.host, {}), resources: [], functions: [] }));
  }
  if (probe.failed.length > 0 && !skipBroken) {
    console.error("Every host of provider/hosts.ts must load (pass --skip-broken-hosts to leave one out locally).");
    return 1;
  }
  const text = schemaText(buildSchema(readPackageInfo(), { hosts: probe.loaded }));
  const file = schemaPath();
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current === text) return 0;
    console.error(`${file} is stale; run \`npm run schema\`. Diff (- checked in, + generated):\n${lineDiff(current, text)}`);
    return 1;
  }
  fs.writeFileSync(file, text);
  const schema = JSON.parse(text) as PackageSchema;
  const missing = undocumentedParts(schema);
  console.log(
    `wrote ${file}: ${Object.keys(schema.resources).length} resources, ${Object.keys(schema.functions).length} functions, ${Object.keys(schema.types).length} types; ${missing.length} of ${describedParts(schema).length} parts undocumented`,
  );
  // `npm test` fails on these (test/unit/schema.test.ts); name them here too, where they are fixed.
  for (const path of missing) console.error(`warning: no description: ${path}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
