/**
 * One host's matrix as jest tests: a `describe` per call, a test per fault. A cell listed in `known`
 * runs as `test.failing` (it must still fail; once the fix lands, jest reports it so the entry is
 * removed), and the doc marks it as known with the fix it waits for.
 */
import { HOST_HOOK_TIMEOUT_MS } from "../harness";
import { type CellResult, FAULTS, type HostKit, runCell, type Scenario, typesWithoutProvider } from "./matrix";
import { printable, saveResults } from "./report";

/** `"<call>|<via>|<fault>"` → the fix the cell waits for. */
export type KnownFailures = Record<string, string>;

export function matrixSuite(host: string, start: () => Promise<HostKit>, scenarios: Scenario[], known: KnownFailures = {}): void {
  let kit: HostKit;
  const results: CellResult[] = [];

  beforeAll(async () => {
    kit = await start();
    const missing = typesWithoutProvider(kit, scenarios);
    if (missing.length) throw new Error(`${host} kit: its program declares no ${missing.join(", ")}, which rows drive: declare one of each`);
  }, HOST_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await kit?.stop();
    // Only a full run rewrites docs/fault-matrix.md (a `-t` filtered run would drop rows).
    if (results.length === scenarios.length * FAULTS.length) saveResults(host, results);
    if (process.env.FAULT_MATRIX_PRINT) process.stdout.write(`${printable(results)}\n`);
  });

  let n = 0;
  for (const sc of scenarios) {
    describe(`${host} ${sc.call} (${sc.via})`, () => {
      for (const fault of FAULTS) {
        const knownFix = known[`${sc.call}|${sc.via}|${fault}`];
        (knownFix ? test.failing : test)(
          `× ${fault}`,
          async () => {
            const r = await runCell(kit, sc, fault, { name: `${host.slice(0, 2)}${++n}`, fault });
            if (knownFix && r.result === "fail") r.known = knownFix;
            results.push(r);
            expect(r.problems).toEqual([]);
          },
          30_000,
        );
      }
    });
  }
}
