import type { ResourceDefinition } from "../../provider/core";
import { serverRestartResource } from "../../provider/flops/serverRestart";
import { driver, flopsSimulatorPerFile, makeVm } from "../support/flops";

/** flops.ServerRestart records on refresh: kept while their server exists, read through one shared listing. */
const sim = flopsSimulatorPerFile();
const restart = driver(serverRestartResource as unknown as ResourceDefinition);

describe("flops.ServerRestart refresh", () => {
  it("reads ten records with one GET /vm/ between them, and forgets only the one whose server is gone", async () => {
    const servers = Array.from({ length: 10 }, (_, i) => makeVm(sim, `r${i}`));
    sim.deleteVm(Number(servers[9]));
    sim.server.clearLog();
    const read = await Promise.all(servers.map((s, i) => restart.read(`${s}/${61000 + i}`, { serverId: s, operationId: 61000 + i, restartedAt: 1 })));
    expect(read.filter((r) => r === undefined)).toHaveLength(1);
    expect(read[9]).toBeUndefined();
    expect(read[0]).toMatchObject({ id: `${servers[0]}/61000` });
    expect(sim.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v1/vm/"]);
  });
});
