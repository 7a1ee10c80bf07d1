/**
 * `npm run test:faults`: runs the fault-injection matrix (test/faults/: one fault per vendor call, every resource's recovery) with jest, which
 * writes docs/fault-matrix.md, then prints that table, and exits with jest's status. Arguments are
 * passed to jest (e.g. `npm run test:faults -- test/faults/flops-faults.test.ts`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const DOC = path.join(ROOT, "docs", "fault-matrix.md");
const jest = require.resolve("jest/bin/jest", { paths: [ROOT] });
const extra = process.argv.slice(2);
const run = spawnSync(process.execPath, [jest, ...(extra.length ? extra : ["test/faults"])], { cwd: ROOT, stdio: "inherit" });
if (fs.existsSync(DOC)) process.stdout.write(`\n${fs.readFileSync(DOC, "utf8")}`);
process.exit(run.status ?? 1);
